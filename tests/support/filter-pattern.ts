/**
 * A strict evaluator of the part of CloudWatch Logs' JSON filter-pattern syntax the cost metric filters use, so
 * the tests can run the real patterns over the server's real log lines (neither moto nor any local tool
 * evaluates metric filters). Syntax (CloudWatch Logs user guide, "Filter pattern syntax for metric filters",
 * JSON log events): `{ $.field OP value && ... }`; OP is =, != (strings in double quotes, or numbers) or <, >,
 * <=, >= (numbers only); a number compares numerically and matches only a numeric field; a missing field never
 * matches. Anything else (||, parentheses, arrays, IS NULL, wildcards) throws, so a pattern this cannot judge
 * fails the test instead of passing it.
 */

type Op = "=" | "!=" | "<" | ">" | "<=" | ">=";
interface Condition {
  readonly path: readonly string[];
  readonly op: Op;
  readonly value: string | number;
}

const CONDITION = /^\$\.([A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)*)\s*(=|!=|<=|>=|<|>)\s*("(?:[^"*\\]*)"|-?\d+(?:\.\d+)?)$/;

export function parseFilterPattern(pattern: string): Condition[] {
  const body = /^\{\s*(.*?)\s*\}$/.exec(pattern.trim())?.[1];
  if (body === undefined) throw new Error(`not a JSON filter pattern: ${pattern}`);
  return body.split("&&").map((part) => {
    const match = CONDITION.exec(part.trim());
    if (!match) throw new Error(`unsupported condition "${part.trim()}" in ${pattern}`);
    const [, path, op, literal] = match;
    const value = literal.startsWith('"') ? literal.slice(1, -1) : Number(literal);
    if (typeof value === "string" && op !== "=" && op !== "!=") {
      throw new Error(`strings only compare with = or != in ${pattern}`);
    }
    return { path: path.split("."), op: op as Op, value };
  });
}

function field(event: unknown, path: readonly string[]): unknown {
  return path.reduce<unknown>(
    (node, key) => (node !== null && typeof node === "object" ? (node as Record<string, unknown>)[key] : undefined),
    event,
  );
}

function holds(actual: unknown, op: Op, expected: string | number): boolean {
  if (actual === undefined) return false;
  if (typeof expected === "string") {
    return typeof actual === "string" && (op === "=" ? actual === expected : actual !== expected);
  }
  if (typeof actual !== "number") return false;
  switch (op) {
    case "=":
      return actual === expected;
    case "!=":
      return actual !== expected;
    case "<":
      return actual < expected;
    case ">":
      return actual > expected;
    case "<=":
      return actual <= expected;
    case ">=":
      return actual >= expected;
  }
}

/** Whether a JSON log line matches the pattern (a line that is not a JSON object never does). */
export function matchesFilterPattern(pattern: string, line: string): boolean {
  const conditions = parseFilterPattern(pattern);
  let event: unknown;
  try {
    event = JSON.parse(line);
  } catch {
    return false;
  }
  if (event === null || typeof event !== "object") return false;
  return conditions.every((c) => holds(field(event, c.path), c.op, c.value));
}

/** The metric value a matched line publishes: `1` as is, `$.field` must be a number in the line. */
export function metricValueOf(value: string, line: string): number {
  if (/^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  const path = /^\$\.([\w.]+)$/.exec(value)?.[1];
  if (!path) throw new Error(`unsupported metric value ${value}`);
  const found = field(JSON.parse(line), path.split("."));
  if (typeof found !== "number") throw new Error(`${value} is not a number in ${line}`);
  return found;
}
