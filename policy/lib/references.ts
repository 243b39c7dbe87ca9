import type { PolicyResource } from "@pulumi/policy";
import { isUnknown, listOf, plain, type Plain } from "./known";

/** A resource class (`aws.s3.Bucket` ...) as `isType` takes it. */
export type ResourceClass = Parameters<PolicyResource["isType"]>[0];

/** Whether one resource's property points at another: yes, no, or cannot tell yet (preview). */
export type Reference = "yes" | "no" | "unknown";

/**
 * The values by which other resources name `resource` in their properties: its id, ARN and name-like outputs.
 * Unknown ones (before creation) are left out.
 */
export function identitiesOf(resource: PolicyResource, ...nameProperties: string[]): string[] {
  const props = plain(resource.props);
  return ["id", "arn", ...nameProperties]
    .map((key) => props[key])
    .filter((value): value is string => typeof value === "string" && value.length > 0);
}

/**
 * Whether `from`'s property `property` refers to `to`. First by the engine's property dependencies, which are
 * known even during preview when names and ARNs are not (`bucket: bucket.id` makes the bucket a dependency of
 * `bucket`); then by value, against `identities` of `to` (see {@link identitiesOf}). "unknown" when the
 * property or every identity is unknown, so that a stack policy never reports a missing link it cannot see.
 */
export function refersTo(from: PolicyResource, property: string, to: PolicyResource, identities: string[]): Reference {
  const dependencies = from.propertyDependencies?.[property] ?? [];
  if (dependencies.some((dependency) => dependency.urn === to.urn)) {
    return "yes";
  }
  const values = listOf(plain(from.props)[property]);
  if (isUnknown(values)) {
    return "unknown";
  }
  if (values.length === 0) {
    return "no";
  }
  if (values.some((value: Plain) => typeof value === "string" && identities.includes(value))) {
    return "yes";
  }
  if (values.some(isUnknown) || identities.length === 0) {
    return "unknown";
  }
  return "no";
}

/**
 * Combines the answers for several candidates: "yes" if any candidate certainly matches, else "unknown" if any
 * might, else "no".
 */
export function anyReference(references: Reference[]): Reference {
  if (references.includes("yes")) {
    return "yes";
  }
  return references.includes("unknown") ? "unknown" : "no";
}

/** Combines conditions that must all hold: "no" if any fails, else "unknown" if any is unknown, else "yes". */
export function allReferences(references: Reference[]): Reference {
  if (references.includes("no")) {
    return "no";
  }
  return references.includes("unknown") ? "unknown" : "yes";
}
