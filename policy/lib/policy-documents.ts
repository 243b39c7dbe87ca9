import { isPlainObject, isUnknown, listOf, type Plain, type PlainObject } from "./known";

/** The statements of an IAM or resource policy document, or why they cannot be checked. */
export type StatementsRead =
  { kind: "statements"; statements: PlainObject[] } | { kind: "unknown" } | { kind: "invalid"; reason: string };

/**
 * Reads the statements of a policy document given either as JSON text (what `pulumi.jsonStringify` and
 * `aws.iam.getPolicyDocument` produce) or as an object (`aws.iam.PolicyDocument`). "unknown" when the document
 * is not known yet (it usually embeds ARNs of resources created in the same update).
 */
export function readStatements(document: Plain): StatementsRead {
  if (isUnknown(document)) {
    return { kind: "unknown" };
  }
  let parsed: Plain = document;
  if (typeof document === "string") {
    try {
      parsed = JSON.parse(document) as Plain;
    } catch (error) {
      return { kind: "invalid", reason: `policy document is not valid JSON (${(error as Error).message})` };
    }
  }
  if (!isPlainObject(parsed)) {
    return { kind: "invalid", reason: "policy document is not a JSON object" };
  }
  const statements = listOf(parsed.Statement);
  if (isUnknown(statements)) {
    return { kind: "unknown" };
  }
  return { kind: "statements", statements: statements.filter(isPlainObject) };
}

/** The statement's values for an IAM element that takes one value or a list ("Action", "Resource" ...). */
export function elementValues(statement: PlainObject, element: string): Plain[] {
  const values = listOf(statement[element]);
  return isUnknown(values) ? [values] : values;
}
