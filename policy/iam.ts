import * as aws from "@pulumi/aws";
import { validateResourceOfType, type ResourceValidation, type ResourceValidationPolicy } from "@pulumi/policy";
import { validateEachOfType } from "./lib/validate";
import { isUnknown, listOf, objectsIn, plain, type Plain, type PlainObject } from "./lib/known";
import { elementValues, readStatements } from "./lib/policy-documents";

/**
 * The only actions allowed on `Resource: "*"`: AWS offers no resource-level permission for them, so there is
 * nothing narrower to write. Keep this list short and say why for each.
 */
export const ACTIONS_WITHOUT_RESOURCE_LEVEL_PERMISSIONS: readonly string[] = [
  // ECR login: the token is account-wide; the pull itself (BatchGetImage ...) is scoped to the repository.
  "ecr:GetAuthorizationToken",
  // Custom metrics: PutMetricData takes no resource; narrow it with a cloudwatch:namespace condition instead.
  "cloudwatch:PutMetricData",
  // The VPC attachment of the endpoint's instances (VpcConfig): EC2's Describe* calls take no resource; the
  // network-interface actions beside them are scoped to the interfaces, subnets and security groups.
  "ec2:DescribeDhcpOptions",
  "ec2:DescribeNetworkInterfaces",
  "ec2:DescribeSecurityGroups",
  "ec2:DescribeSubnets",
  "ec2:DescribeVpcs",
];

/** `*` or `service:*`: every action, or every action of a service. */
const WILDCARD_ACTION = /^(\*|[a-z0-9-]+:\*+)$/i;

/** AWS managed policies that grant a whole service, or everything. */
const BROAD_AWS_MANAGED_POLICY =
  /^arn:aws[a-z-]*:iam::aws:policy\/(?:.*\/)?[^/]*(FullAccess|AdministratorAccess|PowerUserAccess)[^/]*$/;

/** A policy document found on a resource, with a label saying where it sits. */
interface LabelledDocument {
  label: string;
  document: Plain;
}

/** Every IAM policy document a resource carries: inline policies of roles, and the policy resources' documents. */
const documentValidations = (
  check: (statement: PlainObject, label: string, reportViolation: (message: string) => void) => void,
): ResourceValidation[] => {
  const run = (documents: LabelledDocument[], reportViolation: (message: string) => void) => {
    for (const { label, document } of documents) {
      const read = readStatements(document);
      if (read.kind === "invalid") {
        reportViolation(`${label}: ${read.reason}.`);
      } else if (read.kind === "statements") {
        read.statements.forEach((statement) => check(statement, label, reportViolation));
      }
    }
  };
  return [
    validateResourceOfType(aws.iam.Role, (props, _args, reportViolation) => {
      const role = plain(props);
      const inline = objectsIn(role.inlinePolicies).map((entry, index): LabelledDocument => ({
        label: `inlinePolicies[${index}]${typeof entry.name === "string" ? ` (${entry.name})` : ""}`,
        document: entry.policy,
      }));
      const trust: LabelledDocument = { label: "assumeRolePolicy", document: role.assumeRolePolicy };
      run([trust, ...inline], reportViolation);
    }),
    ...validateEachOfType(
      [aws.iam.RolePolicy, aws.iam.Policy, aws.iam.UserPolicy, aws.iam.GroupPolicy],
      (props, report) => run([{ label: "policy", document: plain(props).policy }], report),
    ),
  ];
};

const isAllow = (statement: PlainObject) => statement.Effect === "Allow";

export const iamNoWildcardActions: ResourceValidationPolicy = {
  name: "iam-no-wildcard-actions",
  description: 'IAM policy statements that allow never use "*" or "service:*" actions, nor NotAction.',
  enforcementLevel: "mandatory",
  validateResource: documentValidations((statement, label, reportViolation) => {
    if (!isAllow(statement)) {
      return; // Denying broadly is fine (the TLS-only bucket policy denies s3:*).
    }
    const wildcards = elementValues(statement, "Action").filter(
      (a) => typeof a === "string" && WILDCARD_ACTION.test(a),
    );
    if (wildcards.length > 0) {
      reportViolation(`${label}: Allow with wildcard action ${wildcards.join(", ")}; list the actions needed.`);
    }
    if (statement.NotAction !== undefined) {
      reportViolation(`${label}: Allow with NotAction grants every other action; list the actions needed.`);
    }
  }),
};

export const iamNoWildcardResources: ResourceValidationPolicy = {
  name: "iam-no-wildcard-resources",
  description:
    'IAM statements allow Resource "*" only for actions AWS cannot scope (' +
    `${ACTIONS_WITHOUT_RESOURCE_LEVEL_PERMISSIONS.join(", ")}), and never NotResource.`,
  enforcementLevel: "mandatory",
  validateResource: documentValidations((statement, label, reportViolation) => {
    if (!isAllow(statement)) {
      return;
    }
    if (statement.NotResource !== undefined) {
      reportViolation(`${label}: Allow with NotResource covers every other resource; list the resources.`);
    }
    if (!elementValues(statement, "Resource").includes("*")) {
      return;
    }
    const allowed = ACTIONS_WITHOUT_RESOURCE_LEVEL_PERMISSIONS.map((action) => action.toLowerCase());
    const scopeable = elementValues(statement, "Action").filter(
      (action) => typeof action === "string" && !allowed.includes(action.toLowerCase()),
    );
    if (scopeable.length > 0) {
      reportViolation(
        `${label}: Resource "*" for ${scopeable.join(", ")}; scope these actions to ARNs ` +
          `("*" is allowed only for ${ACTIONS_WITHOUT_RESOURCE_LEVEL_PERMISSIONS.join(", ")}).`,
      );
    }
  }),
};

function reportBroadManagedPolicies(arns: Plain, reportViolation: (message: string) => void): void {
  const values = listOf(arns);
  if (isUnknown(values)) {
    return;
  }
  for (const arn of values) {
    if (typeof arn === "string" && BROAD_AWS_MANAGED_POLICY.test(arn)) {
      reportViolation(`Attaches the AWS managed policy ${arn}; write a least-privilege policy instead.`);
    }
  }
}

export const iamNoFullAccessManagedPolicies: ResourceValidationPolicy = {
  name: "iam-no-full-access-managed-policies",
  description: "No AWS managed *FullAccess (or AdministratorAccess/PowerUserAccess) policy is attached.",
  enforcementLevel: "mandatory",
  validateResource: [
    validateResourceOfType(aws.iam.Role, (props, _args, report) =>
      reportBroadManagedPolicies(plain(props).managedPolicyArns, report),
    ),
    ...validateEachOfType(
      [
        aws.iam.RolePolicyAttachment,
        aws.iam.UserPolicyAttachment,
        aws.iam.GroupPolicyAttachment,
        aws.iam.PolicyAttachment,
      ],
      (props, report) => reportBroadManagedPolicies(plain(props).policyArn, report),
    ),
    ...validateEachOfType(
      [
        aws.iam.RolePolicyAttachmentsExclusive,
        aws.iam.UserPolicyAttachmentsExclusive,
        aws.iam.GroupPolicyAttachmentsExclusive,
      ],
      (props, report) => reportBroadManagedPolicies(plain(props).policyArns, report),
    ),
  ],
};

export const iamPolicies = [iamNoWildcardActions, iamNoWildcardResources, iamNoFullAccessManagedPolicies];
