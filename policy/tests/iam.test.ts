import * as assert from "node:assert/strict";
import * as aws from "@pulumi/aws";
import {
  ACTIONS_WITHOUT_RESOURCE_LEVEL_PERMISSIONS,
  iamNoFullAccessManagedPolicies,
  iamNoWildcardActions,
  iamNoWildcardResources,
} from "../iam";
import { checkResource, UNKNOWN_DURING_PREVIEW } from "./harness";

const document = (...statements: unknown[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const allow = (Action: unknown, Resource: unknown = "arn:aws:s3:::whisper-data/async/inputs/*") => ({
  Effect: "Allow",
  Action,
  Resource,
});
const SAGEMAKER_TRUST = document({
  Effect: "Allow",
  Principal: { Service: "sagemaker.amazonaws.com" },
  Action: "sts:AssumeRole",
});

describe("policy iam-no-wildcard-actions", () => {
  it("passes a role with a trust policy and scoped inline policies, and a scoped RolePolicy", async () => {
    const role = {
      assumeRolePolicy: SAGEMAKER_TRUST,
      inlinePolicies: [{ name: "read-model", policy: document(allow(["s3:GetObject", "s3:ListBucket"])) }],
    };
    assert.deepEqual(await checkResource(iamNoWildcardActions, aws.iam.Role, role), []);
    const rolePolicy = { role: "r", policy: document(allow("sns:Publish", "arn:aws:sns:us-east-1:1:whisper-success")) };
    assert.deepEqual(await checkResource(iamNoWildcardActions, aws.iam.RolePolicy, rolePolicy), []);
  });

  it('rejects "*" and "service:*" in any IAM document, as text or as an object', async () => {
    const star = await checkResource(iamNoWildcardActions, aws.iam.RolePolicy, { policy: document(allow("*")) });
    assert.equal(star.length, 1);
    assert.match(String(star), /wildcard action \*/);
    const service = await checkResource(iamNoWildcardActions, aws.iam.Policy, {
      policy: { Version: "2012-10-17", Statement: [allow(["s3:GetObject", "sagemaker:*"])] },
    });
    assert.match(String(service), /sagemaker:\*/);
    assert.doesNotMatch(String(service), /s3:GetObject/);
    const trust = await checkResource(iamNoWildcardActions, aws.iam.Role, {
      assumeRolePolicy: document({
        Effect: "Allow",
        Principal: { Service: "sagemaker.amazonaws.com" },
        Action: "sts:*",
      }),
    });
    assert.match(String(trust), /assumeRolePolicy: .*sts:\*/);
  });

  it("rejects Allow with NotAction, and names the inline policy", async () => {
    const role = {
      assumeRolePolicy: SAGEMAKER_TRUST,
      inlinePolicies: [
        { name: "everything-but-iam", policy: document({ Effect: "Allow", NotAction: "iam:*", Resource: "*" }) },
      ],
    };
    const violations = await checkResource(iamNoWildcardActions, aws.iam.Role, role);
    assert.deepEqual(violations, [
      "inlinePolicies[0] (everything-but-iam): Allow with NotAction grants every other action; list the actions needed.",
    ]);
  });

  it("lets Deny statements use wildcards", async () => {
    const deny = {
      Effect: "Deny",
      Action: "s3:*",
      Resource: "*",
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    };
    assert.deepEqual(await checkResource(iamNoWildcardActions, aws.iam.Policy, { policy: document(deny) }), []);
  });

  it("reports a document that is not JSON", async () => {
    const violations = await checkResource(iamNoWildcardActions, aws.iam.UserPolicy, { policy: "{not json" });
    assert.match(String(violations), /^policy: policy document is not valid JSON/);
  });

  it("does not judge documents or actions unknown during preview", async () => {
    assert.deepEqual(
      await checkResource(iamNoWildcardActions, aws.iam.RolePolicy, { policy: UNKNOWN_DURING_PREVIEW }),
      [],
    );
    const partlyUnknown = {
      Version: "2012-10-17",
      Statement: [allow(["s3:GetObject", UNKNOWN_DURING_PREVIEW], UNKNOWN_DURING_PREVIEW)],
    };
    assert.deepEqual(await checkResource(iamNoWildcardActions, aws.iam.Policy, { policy: partlyUnknown }), []);
  });
});

describe("policy iam-no-wildcard-resources", () => {
  it('allows Resource "*" for the listed actions only', async () => {
    const policy = document(allow([...ACTIONS_WITHOUT_RESOURCE_LEVEL_PERMISSIONS], "*"));
    assert.deepEqual(await checkResource(iamNoWildcardResources, aws.iam.RolePolicy, { policy }), []);
  });

  it('rejects Resource "*" for actions that can be scoped, naming only those', async () => {
    const policy = document(allow(["ecr:GetAuthorizationToken", "ecr:BatchGetImage", "s3:GetObject"], ["*"]));
    const violations = await checkResource(iamNoWildcardResources, aws.iam.RolePolicy, { policy });
    assert.equal(violations.length, 1);
    assert.match(String(violations), /Resource "\*" for ecr:BatchGetImage, s3:GetObject;/);
  });

  it("rejects Allow with NotResource, ignores Deny and trust policies", async () => {
    const notResource = document({ Effect: "Allow", Action: "s3:GetObject", NotResource: "arn:aws:s3:::secret/*" });
    assert.match(
      String(await checkResource(iamNoWildcardResources, aws.iam.Policy, { policy: notResource })),
      /NotResource/,
    );
    const deny = document({ Effect: "Deny", Action: "s3:DeleteObject", Resource: "*" });
    assert.deepEqual(await checkResource(iamNoWildcardResources, aws.iam.Policy, { policy: deny }), []);
    assert.deepEqual(
      await checkResource(iamNoWildcardResources, aws.iam.Role, { assumeRolePolicy: SAGEMAKER_TRUST }),
      [],
    );
  });

  it("does not judge a resource list that is unknown during preview", async () => {
    const policy = { Statement: [allow("s3:GetObject", UNKNOWN_DURING_PREVIEW)] };
    assert.deepEqual(await checkResource(iamNoWildcardResources, aws.iam.GroupPolicy, { policy }), []);
  });
});

describe("policy iam-no-full-access-managed-policies", () => {
  const attach = (policyArn: unknown) =>
    checkResource(iamNoFullAccessManagedPolicies, aws.iam.RolePolicyAttachment, { role: "r", policyArn });

  it("passes customer managed and narrow AWS managed policies", async () => {
    assert.deepEqual(await attach("arn:aws:iam::123456789012:policy/whisper-client"), []);
    assert.deepEqual(await attach("arn:aws:iam::123456789012:policy/FullAccessLookingName"), []);
    assert.deepEqual(await attach("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"), []);
  });

  it("rejects AWS managed *FullAccess and admin policies, however attached", async () => {
    assert.match(
      String(await attach("arn:aws:iam::aws:policy/AmazonSageMakerFullAccess")),
      /AmazonSageMakerFullAccess/,
    );
    assert.match(String(await attach("arn:aws:iam::aws:policy/AdministratorAccess")), /AdministratorAccess/);
    assert.match(String(await attach("arn:aws-us-gov:iam::aws:policy/AWSLambda_FullAccess")), /AWSLambda_FullAccess/);
    const role = {
      assumeRolePolicy: SAGEMAKER_TRUST,
      managedPolicyArns: [
        "arn:aws:iam::aws:policy/AmazonS3FullAccess",
        "arn:aws:iam::aws:policy/CloudWatchLogsReadOnlyAccess",
      ],
    };
    const viaRole = await checkResource(iamNoFullAccessManagedPolicies, aws.iam.Role, role);
    assert.equal(viaRole.length, 1);
    const exclusive = await checkResource(iamNoFullAccessManagedPolicies, aws.iam.RolePolicyAttachmentsExclusive, {
      roleName: "r",
      policyArns: ["arn:aws:iam::aws:policy/service-role/AmazonSageMakerFullAccess"],
    });
    assert.equal(exclusive.length, 1);
  });

  it("does not judge an ARN unknown during preview", async () => {
    assert.deepEqual(await attach(UNKNOWN_DURING_PREVIEW), []);
  });
});
