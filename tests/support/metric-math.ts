/**
 * Evaluates the CloudWatch metric-math subset the alarms use, on one minute's values: numbers, query ids, + - * /,
 * comparisons (< <= > >= == !=, 1 or 0), and the functions IF(condition, a, b), FILL(x, value), CEIL, FLOOR. As in
 * CloudWatch, an id without a datapoint is missing (undefined), arithmetic and comparisons on a missing value are
 * missing, and FILL replaces it. Any other syntax throws, so an expression this cannot judge fails its test.
 */
type Value = number | undefined;

const FUNCTIONS: Record<string, (args: Value[]) => Value> = {
  IF: ([condition, whenTrue, whenFalse]) =>
    condition === undefined ? undefined : condition !== 0 ? whenTrue : whenFalse,
  FILL: ([value, fill]) => value ?? fill,
  CEIL: ([value]) => (value === undefined ? undefined : Math.ceil(value)),
  FLOOR: ([value]) => (value === undefined ? undefined : Math.floor(value)),
};
const ARITY: Record<string, number> = { IF: 3, FILL: 2, CEIL: 1, FLOOR: 1 };

const COMPARE: Record<string, (a: number, b: number) => boolean> = {
  "<": (a, b) => a < b,
  "<=": (a, b) => a <= b,
  ">": (a, b) => a > b,
  ">=": (a, b) => a >= b,
  "==": (a, b) => a === b,
  "!=": (a, b) => a !== b,
};

/** Evaluates `expression`; only the functions named in `functions` (default: all of the above) are accepted. */
export function evaluateMath(
  expression: string,
  values: Readonly<Record<string, Value>>,
  functions: readonly string[] = Object.keys(FUNCTIONS),
): Value {
  const tokens = expression.match(/\d+(?:\.\d+)?|[A-Za-z][A-Za-z0-9_]*|<=|>=|==|!=|[-+*/(),<>]|\S/g) ?? [];
  let at = 0;
  const peek = () => tokens[at];
  const take = (expected?: string) => {
    const token = tokens[at++];
    if (token === undefined || (expected !== undefined && token !== expected)) {
      throw new Error(`unexpected ${token ?? "end"} in ${expression}`);
    }
    return token;
  };
  const both = (a: Value, b: Value, f: (a: number, b: number) => number): Value =>
    a === undefined || b === undefined ? undefined : f(a, b);

  const primary = (): Value => {
    const token = take();
    if (token === "(") {
      const value = comparison();
      take(")");
      return value;
    }
    if (token === "-") return both(0, primary(), (a, b) => a - b);
    if (/^\d/.test(token)) return Number(token);
    if (peek() === "(") {
      const fn = functions.includes(token) ? FUNCTIONS[token] : undefined;
      if (fn === undefined) throw new Error(`unsupported function ${token} in ${expression}`);
      take("(");
      const args = [comparison()];
      while (peek() === ",") {
        take(",");
        args.push(comparison());
      }
      take(")");
      if (args.length !== ARITY[token]) throw new Error(`${token} takes ${ARITY[token]} arguments in ${expression}`);
      return fn(args);
    }
    if (/^[a-z]/.test(token)) {
      if (!(token in values)) throw new Error(`unknown id ${token} in ${expression}`);
      return values[token];
    }
    throw new Error(`unsupported ${token} in ${expression}`);
  };
  const product = (): Value => {
    let value = primary();
    while (peek() === "*" || peek() === "/") {
      const op = take();
      value = both(value, primary(), (a, b) => (op === "*" ? a * b : a / b));
    }
    return value;
  };
  const sum = (): Value => {
    let value = product();
    while (peek() === "+" || peek() === "-") {
      const op = take();
      value = both(value, product(), (a, b) => (op === "+" ? a + b : a - b));
    }
    return value;
  };
  const comparison = (): Value => {
    const left = sum();
    const op = peek();
    if (op === undefined || !(op in COMPARE)) return left;
    take();
    return both(left, sum(), (a, b) => (COMPARE[op](a, b) ? 1 : 0));
  };
  const result = comparison();
  if (at !== tokens.length) throw new Error(`unexpected ${tokens[at]} in ${expression}`);
  return result;
}
