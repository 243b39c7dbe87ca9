/**
 * Evaluates the arithmetic subset of CloudWatch metric math (numbers, ids, + - * /, parentheses) on one data point,
 * so a test can run the dashboard's expressions on made-up values. A function call or any other syntax throws: an
 * expression this cannot judge fails the test instead of passing it. An id without a value yields undefined, as a
 * missing data point yields none in CloudWatch.
 */
export function evaluate(expression: string, values: Readonly<Record<string, number | undefined>>): number | undefined {
  const tokens = expression.match(/\d+(?:\.\d+)?|[a-z][A-Za-z0-9_]*|[-+*/()]|\S/g) ?? [];
  let at = 0;
  const peek = () => tokens[at];
  const take = (expected?: string) => {
    const token = tokens[at++];
    if (token === undefined || (expected !== undefined && token !== expected)) {
      throw new Error(`unexpected ${token ?? "end"} in ${expression}`);
    }
    return token;
  };
  const apply = (op: string, a: number | undefined, b: number | undefined) => {
    if (a === undefined || b === undefined) return undefined;
    return op === "+" ? a + b : op === "-" ? a - b : op === "*" ? a * b : a / b;
  };
  const primary = (): number | undefined => {
    const token = take();
    if (token === "(") {
      const value = sum();
      take(")");
      return value;
    }
    if (/^\d/.test(token)) return Number(token);
    if (/^[a-z]/.test(token) && peek() !== "(") return values[token];
    throw new Error(`unsupported ${token} in ${expression}`);
  };
  const product = (): number | undefined => {
    let value = primary();
    while (peek() === "*" || peek() === "/") value = apply(take(), value, primary());
    return value;
  };
  const sum = (): number | undefined => {
    let value = product();
    while (peek() === "+" || peek() === "-") value = apply(take(), value, product());
    return value;
  };
  const result = sum();
  if (at !== tokens.length) throw new Error(`unexpected ${tokens[at]} in ${expression}`);
  return result;
}
