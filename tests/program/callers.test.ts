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

  it("limits a caller to its own input prefix, results it knows the key of, and no listing", function () {
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
          Action: ["s3:PutObject"],
          Resource: `${bucketArn}/async/inputs/${caller}/*`,
        },
        {
          Sid: "ReadKnownResults",
          Effect: "Allow",
          Action: ["s3:GetObject"],
          Resource: [`${bucketArn}/async/outputs/*`, `${bucketArn}/async/failures/*`],
        },
      ]);
    }
    const actions = JSON.stringify(policy("whisper-caller-web-policy"));
    assert.ok(!actions.includes("s3:ListBucket"), "no caller can list the keys of other callers' results");
  });
});
