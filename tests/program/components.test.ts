/** Components built directly under the same mocks, for the paths the stack test's config does not take. */
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { endpointNameFor } from "../../components/async-endpoint";
import { loadStackConfig } from "../../components/config";
import { executionStatements } from "../../components/execution-role";
import { ModelArtifact, shellQuote } from "../../components/model-artifact";
import { serverEnvironment } from "../../components/server-environment";
import { Storage } from "../../components/storage";
import { recorded, resolve, settled } from "./mocks";

function named(type: string, name: string) {
  const found = recorded.find((r) => r.type === type && r.name === name);
  assert.ok(found, `${type} ${name} registered`);
  return found;
}

describe("components on their own", function () {
  it("encrypts with AES256 and no bucket key when no KMS key is configured", async function () {
    const storage = new Storage("plain", { retentionDays: 5 });
    await resolve(storage.bucketName);
    await settled();
    const sse = named(
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
      "plain-sse",
    );
    assert.deepEqual(sse.inputs.rules, [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }]);
    assert.equal(named("aws:s3/bucket:Bucket", "plain-bucket").inputs.forceDestroy, false);
  });

  it("uploads a local model directory, quoting a path with spaces and quotes", async function () {
    const artifact = new ModelArtifact("local", {
      bucketName: pulumi.output("my-bucket"),
      prefix: "models/",
      repo: "ignored/repo",
      revision: "0".repeat(40),
      localDir: "/models/it's mine",
      awsEnvironment: { AWS_REGION: "eu-west-1" },
    });
    await resolve(artifact.modelDataUrl);
    const packaging = named("command:local:Command", "local-package");
    assert.equal(
      packaging.inputs.create,
      `node_modules/.bin/tsx scripts/package-model.ts --local-dir '/models/it'\\''s mine' --bucket 'my-bucket' --prefix 'models/'`,
    );
    assert.deepEqual(packaging.inputs.triggers, ["ignored/repo", "0".repeat(40), "/models/it's mine", "false"]);
  });

  it("adds the diarization models to the upload when asked, and re-runs it when that changes", async function () {
    const artifact = new ModelArtifact("speakers", {
      bucketName: pulumi.output("my-bucket"),
      prefix: "models/",
      repo: "Systran/faster-whisper-large-v3",
      revision: "0".repeat(40),
      diarization: true,
      awsEnvironment: { AWS_REGION: "eu-west-1" },
    });
    await resolve(artifact.modelDataUrl);
    const packaging = named("command:local:Command", "speakers-package");
    assert.match(packaging.inputs.create, / --prefix 'models\/' --diarization$/);
    assert.equal(packaging.inputs.triggers.at(-1), "true");
  });

  it("tells the server the stack's speaker-label choice, and nothing when it is off", function () {
    const environment = (speakerLabels?: string) =>
      serverEnvironment(loadStackConfig((key) => (key === "speakerLabels" ? speakerLabels : undefined), "us-east-1"));
    assert.equal(environment().WHISPER_DIARIZE, undefined);
    assert.equal(environment("off").WHISPER_DIARIZE, undefined);
    assert.equal(environment("on-request").WHISPER_DIARIZE, "false");
    assert.equal(environment("always").WHISPER_DIARIZE, "true");
  });

  it("shell-quotes words so the shell passes them through verbatim", function () {
    assert.equal(shellQuote("a b"), "'a b'");
    assert.equal(shellQuote("$(rm -rf /)"), "'$(rm -rf /)'");
    assert.equal(shellQuote("it's"), `'it'\\''s'`);
  });

  it("derives a valid endpoint name from the instance type (<= 63 chars, [a-zA-Z0-9-])", function () {
    assert.equal(endpointNameFor("whisper-dev", "ml.g4dn.xlarge"), "whisper-dev-g4dn-xlarge");
    assert.equal(endpointNameFor("whisper-my_stack.1", "ml.g5.2xlarge"), "whisper-my-stack-1-g5-2xlarge");
    const long = endpointNameFor("whisper-" + "x".repeat(80), "ml.p4d.24xlarge");
    assert.ok(long.length <= 63 && /^[a-zA-Z0-9](-*[a-zA-Z0-9])*$/.test(long), long);
    assert.notEqual(endpointNameFor("w", "ml.g5.xlarge"), endpointNameFor("w", "ml.g6.xlarge"));
  });

  it("grants no KMS use to the execution role without a key", function () {
    const statements = executionStatements({
      bucketArn: "arn:aws:s3:::b",
      repositoryArn: "arn:aws:ecr:r:1:repository/x",
      successTopicArn: "s",
      errorTopicArn: "e",
      logGroupArnPrefix: "l",
    });
    assert.deepEqual(
      statements.filter((s) => s.Action.some((a) => a.startsWith("kms:"))),
      [],
    );
  });
});
