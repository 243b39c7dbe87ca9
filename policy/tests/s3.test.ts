import * as assert from "node:assert/strict";
import * as aws from "@pulumi/aws";
import {
  s3BucketEncrypted,
  s3BucketHasPublicAccessBlock,
  s3BucketTlsOnly,
  s3NoPublicAcls,
  s3PublicAccessBlockComplete,
} from "../s3";
import { checkResource, checkStack, UNKNOWN_DURING_PREVIEW } from "./harness";
import { deployedStack, editStack, previewStack, tlsOnlyStatement } from "./stack-fixture";

const ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers";

describe("policy s3-no-public-acls", () => {
  it("passes a bucket with no ACL or a private one", async () => {
    assert.deepEqual(await checkResource(s3NoPublicAcls, aws.s3.Bucket, {}), []);
    assert.deepEqual(await checkResource(s3NoPublicAcls, aws.s3.BucketV2, { acl: "private" }), []);
  });

  it("rejects public canned ACLs on buckets and ACL resources", async () => {
    const bucket = await checkResource(s3NoPublicAcls, aws.s3.Bucket, { acl: "public-read" });
    assert.equal(bucket.length, 1);
    assert.match(String(bucket), /"public-read"/);
    const acl = await checkResource(s3NoPublicAcls, aws.s3.BucketAclV2, { bucket: "b", acl: "authenticated-read" });
    assert.match(String(acl), /"authenticated-read"/);
  });

  it("rejects grants to AllUsers, inline or in an ACL resource", async () => {
    const grants = [{ type: "Group", uri: ALL_USERS, permissions: ["READ"] }];
    assert.match(String(await checkResource(s3NoPublicAcls, aws.s3.Bucket, { grants })), /AllUsers/);
    const accessControlPolicy = {
      owner: { id: "owner" },
      grants: [{ grantee: { type: "Group", uri: ALL_USERS }, permission: "READ" }],
    };
    assert.match(String(await checkResource(s3NoPublicAcls, aws.s3.BucketAcl, { accessControlPolicy })), /AllUsers/);
  });

  it("does not judge an ACL that is unknown during preview, and ignores other types", async () => {
    assert.deepEqual(await checkResource(s3NoPublicAcls, aws.s3.Bucket, { acl: UNKNOWN_DURING_PREVIEW }), []);
    assert.equal(await checkResource(s3NoPublicAcls, aws.s3.BucketPolicy, { acl: "public-read" }), "not applicable");
  });
});

describe("policy s3-public-access-block-complete", () => {
  const allOn = { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true };

  it("passes a block with all four switches on", async () => {
    assert.deepEqual(await checkResource(s3PublicAccessBlockComplete, aws.s3.BucketPublicAccessBlock, allOn), []);
  });

  it("names every switch that is off or missing", async () => {
    const props = { ...allOn, blockPublicPolicy: false, restrictPublicBuckets: undefined };
    const violations = await checkResource(s3PublicAccessBlockComplete, aws.s3.BucketPublicAccessBlock, props);
    assert.deepEqual(violations, [
      "Public access block must set blockPublicPolicy, restrictPublicBuckets to true (all four switches on).",
    ]);
  });

  it("does not judge a switch that is unknown during preview", async () => {
    const props = { ...allOn, ignorePublicAcls: UNKNOWN_DURING_PREVIEW };
    assert.deepEqual(await checkResource(s3PublicAccessBlockComplete, aws.s3.BucketPublicAccessBlock, props), []);
  });
});

describe("policy s3-bucket-has-public-access-block", () => {
  it("passes our stack, deployed and in preview", async () => {
    assert.deepEqual(await checkStack(s3BucketHasPublicAccessBlock, deployedStack()), []);
    assert.deepEqual(await checkStack(s3BucketHasPublicAccessBlock, previewStack()), []);
  });

  it("reports a bucket without a block", async () => {
    const stack = editStack(deployedStack(), "data-public-access", null);
    const violations = await checkStack(s3BucketHasPublicAccessBlock, stack);
    assert.deepEqual(
      violations.map((v) => v.resource),
      ["data"],
    );
  });

  it("reports a bucket whose block belongs to another bucket", async () => {
    const stack = editStack(deployedStack(), "data-public-access", (props) => ({ ...props, bucket: "other-bucket" }));
    assert.equal((await checkStack(s3BucketHasPublicAccessBlock, stack)).length, 1);
  });

  it("reports only the bucket that lacks a block when there are two", async () => {
    const stack = [...deployedStack(), { cls: aws.s3.Bucket, name: "logs", props: { id: "logs-1", bucket: "logs-1" } }];
    const violations = await checkStack(s3BucketHasPublicAccessBlock, stack);
    assert.deepEqual(
      violations.map((v) => v.resource),
      ["logs"],
    );
  });
});

describe("policy s3-bucket-encrypted", () => {
  it("passes our stack, deployed and in preview", async () => {
    assert.deepEqual(await checkStack(s3BucketEncrypted, deployedStack()), []);
    assert.deepEqual(await checkStack(s3BucketEncrypted, previewStack()), []);
  });

  it("accepts aws:kms, and encryption configured inline on the bucket", async () => {
    const kms = editStack(deployedStack(), "data-encryption", (props) => ({
      ...props,
      rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: "alias/whisper" } }],
    }));
    assert.deepEqual(await checkStack(s3BucketEncrypted, kms), []);
    const inline = editStack(editStack(deployedStack(), "data-encryption", null), "data", (props) => ({
      ...props,
      serverSideEncryptionConfiguration: { rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } } },
    }));
    assert.deepEqual(await checkStack(s3BucketEncrypted, inline), []);
  });

  it("reports a bucket without encryption configuration", async () => {
    const violations = await checkStack(s3BucketEncrypted, editStack(deployedStack(), "data-encryption", null));
    assert.equal(violations.length, 1);
    assert.equal(violations[0].resource, "data");
    assert.match(violations[0].message, /no aws\.s3\.BucketServerSideEncryptionConfiguration/);
  });

  it("reports an encryption configuration with an unsupported or missing algorithm", async () => {
    const stack = editStack(deployedStack(), "data-encryption", (props) => ({
      ...props,
      rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "NONE" } }],
    }));
    const violations = await checkStack(s3BucketEncrypted, stack);
    assert.deepEqual(
      violations.map((v) => v.resource),
      ["data-encryption"],
    );
    assert.match(violations[0].message, /"NONE"/);
    const empty = editStack(deployedStack(), "data-encryption", (props) => ({ ...props, rules: [] }));
    assert.equal((await checkStack(s3BucketEncrypted, empty)).length, 1);
  });
});

describe("policy s3-bucket-tls-only", () => {
  const bucketArn = "arn:aws:s3:::whisper-dev-data-0a1b2c3";
  const withStatements = (statements: unknown[]) =>
    editStack(deployedStack(), "data-tls-only", (props) => ({
      ...props,
      policy: JSON.stringify({ Version: "2012-10-17", Statement: statements }),
    }));

  it("passes our stack, deployed and in preview (policy text unknown)", async () => {
    assert.deepEqual(await checkStack(s3BucketTlsOnly, deployedStack()), []);
    assert.deepEqual(await checkStack(s3BucketTlsOnly, previewStack()), []);
  });

  it("accepts the statement among others, as an object document, and with a boolean condition", async () => {
    const read = {
      Effect: "Allow",
      Principal: { AWS: "arn:aws:iam::123456789012:root" },
      Action: "s3:GetObject",
      Resource: "*",
    };
    assert.deepEqual(await checkStack(s3BucketTlsOnly, withStatements([read, tlsOnlyStatement(bucketArn)])), []);
    const statement = {
      ...tlsOnlyStatement(bucketArn),
      Principal: { AWS: "*" },
      Condition: { Bool: { "aws:SecureTransport": false } },
    };
    const objectDocument = editStack(deployedStack(), "data-tls-only", (props) => ({
      ...props,
      policy: { Version: "2012-10-17", Statement: statement },
    }));
    assert.deepEqual(await checkStack(s3BucketTlsOnly, objectDocument), []);
  });

  it("reports a bucket without any bucket policy", async () => {
    const violations = await checkStack(s3BucketTlsOnly, editStack(deployedStack(), "data-tls-only", null));
    assert.deepEqual(
      violations.map((v) => v.resource),
      ["data"],
    );
  });

  it("reports a policy whose statement does not deny plain HTTP", async () => {
    const allowInsecure = { ...tlsOnlyStatement(bucketArn), Effect: "Allow" };
    const narrowAction = { ...tlsOnlyStatement(bucketArn), Action: "s3:GetObject" };
    const wrongCondition = { ...tlsOnlyStatement(bucketArn), Condition: { Bool: { "aws:SecureTransport": "true" } } };
    for (const statement of [allowInsecure, narrowAction, wrongCondition]) {
      const violations = await checkStack(s3BucketTlsOnly, withStatements([statement]));
      assert.equal(violations.length, 1, JSON.stringify(statement));
      assert.match(violations[0].message, /aws:SecureTransport/);
    }
  });
});
