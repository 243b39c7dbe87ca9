/**
 * Evaluates the arithmetic subset of CloudWatch metric math (numbers, ids, + - * /, parentheses) on one data point,
 * so a test can run the dashboard's expressions on made-up values. A function call or any other syntax throws: an
 * expression this cannot judge fails the test instead of passing it. An id without a value yields undefined, as a
 * missing data point yields none in CloudWatch.
 */
import { evaluateMath } from "./metric-math";

export function evaluate(expression: string, values: Readonly<Record<string, number | undefined>>): number | undefined {
  return evaluateMath(expression, values, []);
}
