import * as aws from "@pulumi/aws";
import {
  validateResourceOfType,
  type PolicyResource,
  type ResourceValidationPolicy,
  type StackValidationPolicy,
} from "@pulumi/policy";
import { at, isPlainObject, isUnknown, objectsIn, plain, type Plain, type PlainObject } from "./lib/known";
import { elementValues, readStatements } from "./lib/policy-documents";
import { validateEachOfType } from "./lib/validate";
import { anyReference, identitiesOf, refersTo, type Reference, type ResourceClass } from "./lib/references";

/** Canned ACLs that open a bucket beyond its owner account. */
const PUBLIC_CANNED_ACLS = ["public-read", "public-read-write", "authenticated-read"];
/** ACL grantee groups that mean "anyone" and "any AWS account". */
const PUBLIC_GRANTEE_GROUP = /\/groups\/global\/(AllUsers|AuthenticatedUsers)$/;
/** Server-side encryption algorithms S3 accepts for default encryption. */
const ALLOWED_SSE_ALGORITHMS = ["AES256", "aws:kms", "aws:kms:dsse"];
/** The four switches of a public access block; every one must be true. */
const PUBLIC_ACCESS_BLOCK_SWITCHES = [
  "blockPublicAcls",
  "blockPublicPolicy",
  "ignorePublicAcls",
  "restrictPublicBuckets",
];

const BUCKET_CLASSES: ResourceClass[] = [aws.s3.Bucket, aws.s3.BucketV2];
const isBucket = (resource: PolicyResource) => BUCKET_CLASSES.some((cls) => resource.isType(cls));

function reportPublicAcl(acl: Plain, grantUris: Plain[], reportViolation: (message: string) => void): void {
  if (typeof acl === "string" && PUBLIC_CANNED_ACLS.includes(acl)) {
    reportViolation(`Canned ACL "${acl}" makes the bucket readable outside the account; use "private" or none.`);
  }
  for (const uri of grantUris) {
    if (typeof uri === "string" && PUBLIC_GRANTEE_GROUP.test(uri)) {
      reportViolation(`ACL grant to ${uri} makes the bucket public; grant to the owner account only.`);
    }
  }
}

const checkBucketAcl = (props: unknown, reportViolation: (message: string) => void) => {
  const bucket = plain(props);
  const grantUris = objectsIn(bucket.grants).map((grant) => grant.uri);
  reportPublicAcl(bucket.acl, grantUris, reportViolation);
};

const checkAclResource = (props: unknown, reportViolation: (message: string) => void) => {
  const acl = plain(props);
  const grantUris = objectsIn(at(acl, "accessControlPolicy", "grants")).map((grant) => at(grant, "grantee", "uri"));
  reportPublicAcl(acl.acl, grantUris, reportViolation);
};

export const s3NoPublicAcls: ResourceValidationPolicy = {
  name: "s3-no-public-acls",
  description: "S3 buckets and bucket ACLs never grant access to AllUsers or AuthenticatedUsers.",
  enforcementLevel: "mandatory",
  validateResource: [
    ...validateEachOfType([aws.s3.Bucket, aws.s3.BucketV2], checkBucketAcl),
    ...validateEachOfType([aws.s3.BucketAcl, aws.s3.BucketAclV2], checkAclResource),
  ],
};

export const s3PublicAccessBlockComplete: ResourceValidationPolicy = {
  name: "s3-public-access-block-complete",
  description: "Every S3 public access block turns on all four switches.",
  enforcementLevel: "mandatory",
  validateResource: validateResourceOfType(aws.s3.BucketPublicAccessBlock, (props, _args, reportViolation) => {
    const block = plain(props);
    const off = PUBLIC_ACCESS_BLOCK_SWITCHES.filter((name) => !isUnknown(block[name]) && block[name] !== true);
    if (off.length > 0) {
      reportViolation(`Public access block must set ${off.join(", ")} to true (all four switches on).`);
    }
  }),
};

/**
 * For each bucket in the stack, calls `check` with the bucket and the resources of `classes` that point at it
 * through their `bucket` property.
 */
function forEachBucket(
  resources: PolicyResource[],
  classes: ResourceClass[],
  check: (bucket: PolicyResource, attached: { resource: PolicyResource; reference: Reference }[]) => void,
): void {
  const candidates = resources.filter((resource) => classes.some((cls) => resource.isType(cls)));
  for (const bucket of resources.filter(isBucket)) {
    const identities = identitiesOf(bucket, "bucket");
    const attached = candidates
      .map((resource) => ({ resource, reference: refersTo(resource, "bucket", bucket, identities) }))
      .filter(({ reference }) => reference !== "no");
    check(bucket, attached);
  }
}

export const s3BucketHasPublicAccessBlock: StackValidationPolicy = {
  name: "s3-bucket-has-public-access-block",
  description: "Every S3 bucket has a public access block of its own.",
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    forEachBucket(args.resources, [aws.s3.BucketPublicAccessBlock], (bucket, attached) => {
      if (attached.length === 0) {
        reportViolation(`Bucket "${bucket.name}" has no aws.s3.BucketPublicAccessBlock.`, bucket.urn);
      }
    });
  },
};

function sseAlgorithmProblem(algorithm: Plain): string | undefined {
  if (isUnknown(algorithm) || (typeof algorithm === "string" && ALLOWED_SSE_ALGORITHMS.includes(algorithm))) {
    return undefined;
  }
  return `sseAlgorithm is ${JSON.stringify(algorithm ?? null)}, expected one of ${ALLOWED_SSE_ALGORITHMS.join(", ")}`;
}

export const s3BucketEncrypted: StackValidationPolicy = {
  name: "s3-bucket-encrypted",
  description: "Every S3 bucket has default server-side encryption configured (AES256, aws:kms or aws:kms:dsse).",
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    const sseClasses: ResourceClass[] = [
      aws.s3.BucketServerSideEncryptionConfiguration,
      aws.s3.BucketServerSideEncryptionConfigurationV2,
    ];
    forEachBucket(args.resources, sseClasses, (bucket, attached) => {
      const inline = at(plain(bucket.props), "serverSideEncryptionConfiguration", "rule");
      if (isPlainObject(inline)) {
        const problem = sseAlgorithmProblem(at(inline, "applyServerSideEncryptionByDefault", "sseAlgorithm"));
        if (problem) {
          reportViolation(`Bucket "${bucket.name}": ${problem}.`, bucket.urn);
        }
        return;
      }
      const certain = attached.filter(({ reference }) => reference === "yes");
      if (certain.length === 0) {
        if (attached.length === 0) {
          reportViolation(
            `Bucket "${bucket.name}" has no aws.s3.BucketServerSideEncryptionConfiguration (default encryption).`,
            bucket.urn,
          );
        }
        return;
      }
      for (const { resource } of certain) {
        const rulesValue = plain(resource.props).rules;
        if (isUnknown(rulesValue)) {
          continue;
        }
        const rules = objectsIn(rulesValue);
        const algorithms = rules.map((rule) => at(rule, "applyServerSideEncryptionByDefault", "sseAlgorithm"));
        const problems = (algorithms.length > 0 ? algorithms : [undefined]).map(sseAlgorithmProblem).filter(Boolean);
        for (const problem of problems) {
          reportViolation(`Encryption of bucket "${bucket.name}": ${problem}.`, resource.urn);
        }
      }
    });
  },
};

/** True for `"*"` and `{"AWS": "*"}` (and lists holding them): the statement applies to every caller. */
function appliesToEveryone(principal: Plain): boolean {
  if (principal === "*") {
    return true;
  }
  if (isPlainObject(principal)) {
    return elementValues(principal, "AWS").includes("*");
  }
  return false;
}

/**
 * Whether a statement denies every S3 action to everyone over plain HTTP:
 * `Deny` + principal `*` + action `s3:*` + `Bool {"aws:SecureTransport": "false"}`.
 */
export function deniesInsecureTransport(statement: PlainObject): boolean {
  const secureTransport = elementValues(isPlainObject(statement.Condition) ? statement.Condition : {}, "Bool");
  const bool = secureTransport.find(isPlainObject);
  const required = bool ? elementValues(bool, "aws:SecureTransport") : [];
  return (
    statement.Effect === "Deny" &&
    appliesToEveryone(statement.Principal) &&
    elementValues(statement, "Action").some((action) => action === "s3:*" || action === "*") &&
    required.some((value) => value === "false" || value === false)
  );
}

/** "yes" if the document has a TLS-only statement, "unknown" if it cannot be read yet, else "no". */
function tlsOnly(document: Plain): Reference {
  const read = readStatements(document);
  if (read.kind === "unknown") {
    return "unknown";
  }
  return read.kind === "statements" && read.statements.some(deniesInsecureTransport) ? "yes" : "no";
}

export const s3BucketTlsOnly: StackValidationPolicy = {
  name: "s3-bucket-tls-only",
  description: "Every S3 bucket has a bucket policy that denies requests without TLS (aws:SecureTransport=false).",
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    forEachBucket(args.resources, [aws.s3.BucketPolicy], (bucket, attached) => {
      const inlinePolicy = plain(bucket.props).policy;
      const verdicts: Reference[] = attached.map(({ resource, reference }) =>
        reference === "yes" ? tlsOnly(plain(resource.props).policy) : "unknown",
      );
      if (inlinePolicy !== undefined && inlinePolicy !== null && inlinePolicy !== "") {
        verdicts.push(tlsOnly(inlinePolicy));
      }
      if (anyReference(verdicts) === "no") {
        reportViolation(
          `Bucket "${bucket.name}" has no bucket policy denying s3:* to "*" when aws:SecureTransport is "false".`,
          bucket.urn,
        );
      }
    });
  },
};

export const s3Policies = [
  s3NoPublicAcls,
  s3PublicAccessBlockComplete,
  s3BucketHasPublicAccessBlock,
  s3BucketEncrypted,
  s3BucketTlsOnly,
];
