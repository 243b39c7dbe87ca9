import { validateResourceOfType, type ReportViolation, type ResourceValidation } from "@pulumi/policy";
import type { ResourceClass } from "./references";

/**
 * One typed validation per class, all running the same check: for a policy that covers several resource
 * types carrying the same property (Bucket and BucketV2, the IAM attachment resources ...). Each validation
 * is tagged with its type token, so the analyzer skips the others.
 */
export function validateEachOfType(
  classes: ResourceClass[],
  check: (props: unknown, reportViolation: ReportViolation) => void,
): ResourceValidation[] {
  return classes.map((cls) =>
    validateResourceOfType(cls, (props, _args, reportViolation) => check(props, reportViolation)),
  );
}
