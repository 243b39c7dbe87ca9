/**
 * The checks `pulumi up` runs as command resources, run as the command runs them (a child process, the AWS SDK
 * pointed by AWS_ENDPOINT_URL at a stub of ECR and SageMaker on 127.0.0.1 answering with the APIs' own response
 * members, typed by the SDK): a pushed OCI manifest or image index fails the up with its media type, a rolled-back
 * update fails it with SageMaker's FailureReason, and an update still in progress is waited for.
 */
import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { DescribeImagesResponse } from "@aws-sdk/client-ecr";
import type { DescribeEndpointOutput } from "@aws-sdk/client-sagemaker";
import { checkEndpointConfig, endpointProblem } from "../../scripts/deploy-checks/endpoint-config";
import { SAGEMAKER_MANIFEST_MEDIA_TYPE } from "../../scripts/deploy-checks/image-manifest";

const ROOT = join(__dirname, "..", "..");
const TSX = join(ROOT, "node_modules", ".bin", "tsx");
const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";

/** Answers each awsJson call (by its X-Amz-Target) from `answers`; records the requests. */
function stubAws(answers: Record<string, (body: Record<string, unknown>) => unknown>) {
  const requests: { target: string; body: Record<string, unknown> }[] = [];
  const server: Server = createServer((req, res) => {
    let text = "";
    req.on("data", (chunk: Buffer) => (text += chunk.toString()));
    req.on("end", () => {
      const target = String(req.headers["x-amz-target"] ?? "");
      const body = JSON.parse(text || "{}") as Record<string, unknown>;
      requests.push({ target, body });
      const answer = answers[target];
      res.setHeader("content-type", "application/x-amz-json-1.1");
      if (answer === undefined) {
        res.statusCode = 400;
        res.end(JSON.stringify({ __type: "UnknownOperationException", message: target }));
        return;
      }
      // awsJson sends timestamps as epoch seconds.
      res.end(
        JSON.stringify(answer(body), (_, v: unknown) =>
          typeof v === "string" && /^\d{4}-\d\d-\d\dT/.test(v) ? Date.parse(v) / 1000 : v,
        ),
      );
    });
  });
  return {
    requests,
    start: () =>
      new Promise<string>((resolve) =>
        server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
      ),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function run(
  script: string,
  args: string[],
  endpoint: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(TSX, [join(ROOT, "scripts", "deploy-checks", script), ...args], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        AWS_ENDPOINT_URL: endpoint,
        AWS_ACCESS_KEY_ID: "testing",
        AWS_SECRET_ACCESS_KEY: "testing",
        AWS_REGION: "us-east-1",
      },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe("deploy check: the pushed image's manifest media type", function () {
  const DIGEST = "sha256:" + "cd".repeat(32);
  let mediaType = SAGEMAKER_MANIFEST_MEDIA_TYPE;
  const stub = stubAws({
    "AmazonEC2ContainerRegistry_V20150921.DescribeImages": (body) =>
      ({
        imageDetails: [
          {
            repositoryName: String(body.repositoryName),
            imageDigest: (body.imageIds as { imageDigest: string }[])[0].imageDigest,
            imageManifestMediaType: mediaType,
          },
        ],
      }) satisfies DescribeImagesResponse,
  });
  let endpoint: string;
  before(async () => (endpoint = await stub.start()));
  after(() => stub.stop());

  it("passes a Docker v2 schema 2 manifest, asking ECR for exactly that digest", async function () {
    mediaType = SAGEMAKER_MANIFEST_MEDIA_TYPE;
    const result = await run("image-manifest.ts", ["--repository", "whisper-repo", "--digest", DIGEST], endpoint);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, `whisper-repo@${DIGEST}: ${SAGEMAKER_MANIFEST_MEDIA_TYPE}\n`);
    assert.deepEqual(stub.requests.at(-1)!.body, {
      repositoryName: "whisper-repo",
      imageIds: [{ imageDigest: DIGEST }],
    });
  });

  it("fails on an OCI manifest and on an image index, naming the media type and what to change", async function () {
    for (const type of [OCI_MANIFEST, "application/vnd.oci.image.index.v1+json"]) {
      mediaType = type;
      const result = await run("image-manifest.ts", ["--repository", "whisper-repo", "--digest", DIGEST], endpoint);
      assert.equal(result.code, 1);
      assert.match(
        result.stderr,
        new RegExp(
          `(^|\\n)check failed: whisper-repo@${DIGEST}: the pushed image has manifest media type ${type.replace(/[.+]/g, "\\$&")}`,
        ),
      );
      assert.match(result.stderr, /SageMaker runs only application\/vnd\.docker\.distribution\.manifest\.v2\+json/);
      assert.match(result.stderr, /oci-mediatypes=false/);
    }
    assert.match(
      (await run("image-manifest.ts", ["--digest", DIGEST], endpoint)).stderr,
      /usage error: missing --repository/,
    );
  });
});

describe("deploy check: the endpoint runs the new EndpointConfig", function () {
  let states: DescribeEndpointOutput[] = [];
  const stub = stubAws({
    "SageMaker.DescribeEndpoint": () => (states.length > 1 ? states.shift() : states[0]),
  });
  let endpoint: string;
  const base = {
    EndpointName: "whisper-prod-g5-xlarge",
    EndpointArn: "arn:aws:sagemaker:us-east-1:123456789012:endpoint/whisper-prod-g5-xlarge",
    CreationTime: new Date(0),
    LastModifiedTime: new Date(0),
  };
  before(async () => (endpoint = await stub.start()));
  after(() => stub.stop());

  it("passes when the endpoint is InService on the new config", async function () {
    states = [{ ...base, EndpointConfigName: "config-new", EndpointStatus: "InService" }];
    const result = await run(
      "endpoint-config.ts",
      ["--endpoint", base.EndpointName, "--config", "config-new"],
      endpoint,
    );
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, `endpoint ${base.EndpointName} is InService on config-new\n`);
  });

  it("fails a rolled-back update (InService on the old config) with SageMaker's reason", async function () {
    const reason =
      "Request to service failed. ResourceLimitExceeded: The account-level service limit 'ml.g5.xlarge for endpoint usage' is 1 Instances";
    states = [{ ...base, EndpointConfigName: "config-old", EndpointStatus: "InService", FailureReason: reason }];
    const result = await run(
      "endpoint-config.ts",
      ["--endpoint", base.EndpointName, "--config", "config-new"],
      endpoint,
    );
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /(^|\n)check failed: endpoint whisper-prod-g5-xlarge still runs EndpointConfig config-old, not config-new: SageMaker rolled the update back\./,
    );
    assert.ok(result.stderr.includes(`SageMaker says: ${reason}`), result.stderr);
    assert.match(result.stderr, /pulumi refresh/);
  });

  it("waits out an update in progress, then judges where it ended", async function () {
    const sleeps: number[] = [];
    const updating = { EndpointStatus: "Updating", EndpointConfigName: "config-old" } as const;
    const queue = [updating, updating, { EndpointStatus: "InService", EndpointConfigName: "config-new" } as const];
    const verdict = await checkEndpointConfig(async () => queue.shift()!, "e", "config-new", {
      timeoutMs: 60_000,
      pollMs: 15_000,
      sleep: async (ms) => void sleeps.push(ms),
    });
    assert.equal(verdict, "endpoint e is InService on config-new");
    assert.deepEqual(sleeps, [15_000, 15_000]);
    await assert.rejects(
      checkEndpointConfig(async () => updating, "e", "config-new", {
        timeoutMs: 30_000,
        pollMs: 15_000,
        sleep: async () => {},
      }),
      /endpoint e is Updating, not InService/,
    );
  });

  it("fails a Failed endpoint with its reason, and passes the new config even if an old reason lingers", function () {
    assert.match(
      endpointProblem(
        { EndpointStatus: "Failed", EndpointConfigName: "c", FailureReason: "CannotStartContainerError" },
        "e",
        "c",
      )!,
      /endpoint e is Failed, not InService\. SageMaker says: CannotStartContainerError/,
    );
    assert.equal(
      endpointProblem({ EndpointStatus: "InService", EndpointConfigName: "c", FailureReason: "old" }, "e", "c"),
      undefined,
    );
  });
});
