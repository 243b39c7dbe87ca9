/** whisper-async:callers: one client policy per app, each uploading only under its own input prefix. */
import { strict as assert } from "node:assert";
import { loadProgram, ACCOUNT, REGION, type Recorded } from "./mocks";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

describe("Pulumi program under mocks with whisper-async:callers", function () {
  let exports: Record<string, unknown>;
  let resources: Recorded[];

  before(async function () {
    ({ exports, resources } = await loadProgram({
      "aws:region": REGION,
      "whisper-async:instancePricePerHour": "0.9",
      "whisper-async:callers": '["web","batch"]',
    }));
  });

  const policy = (name: string): Json => {
    const found = resources.find((r) => r.type === "aws:iam/policy:Policy" && r.name === name);
    assert.ok(found, name);
    return JSON.parse(found.inputs.policy);
  };

  it("exports each caller's policy beside the shared one", function () {
    assert.deepEqual(exports.callerPolicyArns, {
      web: `arn:aws:iam::${ACCOUNT}:policy/whisper-caller-web-policy`,
      batch: `arn:aws:iam::${ACCOUNT}:policy/whisper-caller-batch-policy`,
    });
    assert.equal(exports.clientPolicyArn, `arn:aws:iam::${ACCOUNT}:policy/whisper-client-policy`);
  });

  it("limits a caller to its own input prefix, results it knows the key of, and listing its own prefixes", function () {
    const bucketArn = `arn:aws:s3:::${exports.bucketName}`;
    for (const caller of ["web", "batch"]) {
      assert.deepEqual(policy(`whisper-caller-${caller}-policy`).Statement, [
        {
          Sid: "InvokeAsync",
          Effect: "Allow",
          Action: ["sagemaker:InvokeEndpointAsync"],
          Resource: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:endpoint/${exports.endpointName}`,
        },
        {
          Sid: "UploadOwnInputs",
          Effect: "Allow",
          Action: ["s3:PutObject", "s3:AbortMultipartUpload"],
          Resource: `${bucketArn}/async/inputs/${caller}/*`,
        },
        {
          Sid: "ReadKnownResults",
          Effect: "Allow",
          Action: ["s3:GetObject"],
          Resource: [`${bucketArn}/async/outputs/*`, `${bucketArn}/async/failures/*`],
        },
        {
          // Listing its own prefixes makes "not yet" a 404 for the caller; it lists no key of another caller.
          Sid: "TellOwnMissingResults",
          Effect: "Allow",
          Action: ["s3:ListBucket"],
          Resource: bucketArn,
          Condition: {
            StringLike: {
              "s3:prefix": [`async/inputs/${caller}/*`, `async/outputs/${caller}/*`, `async/failures/${caller}/*`],
            },
          },
        },
      ]);
    }
  });

  it("lets no caller list a prefix that reaches another caller's keys", function () {
    for (const caller of ["web", "batch"]) {
      const listing = policy(`whisper-caller-${caller}-policy`).Statement.filter((s: Json) =>
        s.Action.includes("s3:ListBucket"),
      );
      assert.equal(listing.length, 1);
      const patterns: string[] = listing[0].Condition.StringLike["s3:prefix"];
      // An s3:prefix pattern matches a listing request's prefix; each must start with the caller's own segment.
      const glob = (pattern: string) =>
        new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`);
      for (const prefix of [
        "",
        "async/",
        "async/outputs/",
        "async/inputs/",
        "async/outputs/batc",
        "async/failures/w",
      ]) {
        assert.ok(!patterns.some((p) => glob(p).test(prefix)), `${caller} may not list "${prefix}"`);
      }
      const other = caller === "web" ? "batch" : "web";
      assert.ok(!patterns.some((p) => glob(p).test(`async/outputs/${other}/`)), `${caller} may not list ${other}'s`);
      assert.ok(
        patterns.some((p) => glob(p).test(`async/outputs/${caller}/0f9c.out`)),
        "its own result's key",
      );
    }
  });
});
