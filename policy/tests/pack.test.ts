// Loads the pack the way `pulumi preview --policy-pack policy` does, minus the CLI: from policy/, resolve
// `@pulumi/pulumi/cmd/run-policy-pack` (what the CLI's pulumi-analyzer-policy script does), run it with node
// (ts-node compiles and type-checks index.ts), read the port it prints, and speak the Analyzer gRPC protocol to it
// with the modules the engine's analyzer plugin itself uses. This proves the pack resolves its dependencies from
// the root node_modules, registers every policy as mandatory, and reports through the real SDK. It does not prove
// what the engine sends for our program (see the program's mock tests).
import * as assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import {
  AnalyzeRequest,
  AnalyzeStackRequest,
  AnalyzerPropertyDependencies,
  AnalyzerResource,
  AnalyzerResourceOptions,
  EnforcementLevel,
  type AnalyzeDiagnostic,
} from "@pulumi/pulumi/proto/analyzer_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { autoscalingPolicies } from "../autoscaling";
import { iamPolicies } from "../iam";
import { sagemakerPolicies } from "../sagemaker";
import { s3Policies } from "../s3";
import { typeTokenOf, UNKNOWN_DURING_PREVIEW, urnOf, type StackEntry } from "./harness";
import { editStack, previewStack } from "./stack-fixture";

const PACK_DIR = path.resolve(__dirname, "..");

const toStruct = (props: Record<string, unknown>) =>
  Struct.fromJavaScript(props as Parameters<typeof Struct.fromJavaScript>[0]);

/** The fixture stack as the engine sends it to AnalyzeStack, links included. */
function stackRequest(entries: StackEntry[]): AnalyzeStackRequest {
  const urnByName = new Map(entries.map((entry) => [entry.name, urnOf(typeTokenOf(entry.cls), entry.name)]));
  const resources = entries.map((entry) => {
    const resource = new AnalyzerResource()
      .setType(typeTokenOf(entry.cls))
      .setUrn(urnByName.get(entry.name) ?? "")
      .setName(entry.name)
      .setProperties(toStruct(entry.props))
      .setOptions(new AnalyzerResourceOptions());
    for (const [property, names] of Object.entries(entry.dependsOn ?? {})) {
      const urns = names.map((name) => urnByName.get(name) ?? "");
      resource.getPropertydependenciesMap().set(property, new AnalyzerPropertyDependencies().setUrnsList(urns));
    }
    return resource;
  });
  return new AnalyzeStackRequest().setResourcesList(resources);
}
const ALL_POLICIES = [...s3Policies, ...iamPolicies, ...sagemakerPolicies, ...autoscalingPolicies];

/** Starts the analyzer as `child`; resolves with the port it prints as its first line. */
function startAnalyzer(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /^(\d+)\s*$/m.exec(stdout);
      if (match) {
        resolve(Number(match[1]));
      }
    });
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("exit", (code) =>
      reject(new Error(`policy pack exited with ${code} before serving:\n${stdout}${stderr}`)),
    );
  });
}

describe("policy pack as the Pulumi CLI runs it", function () {
  this.timeout(120_000);
  let child: ChildProcess | undefined;
  let client: AnalyzerClient | undefined;

  before(async () => {
    const runner = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [PACK_DIR] });
    // The engine address is unused until the pack logs through the engine, which these requests never make it do.
    child = spawn(process.execPath, [runner, "127.0.0.1:1", "."], { cwd: PACK_DIR, stdio: ["ignore", "pipe", "pipe"] });
    const port = await startAnalyzer(child);
    client = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  });

  after(() => {
    client?.close();
    child?.kill();
  });

  const connected = (): AnalyzerClient => {
    if (!client) {
      throw new Error("the analyzer did not start");
    }
    return client;
  };

  const analyze = (type: string, props: Record<string, unknown>) =>
    new Promise<AnalyzeDiagnostic[]>((resolve, reject) => {
      const request = new AnalyzeRequest()
        .setType(type)
        .setUrn(`urn:pulumi:dev::whisper-async::${type}::subject`)
        .setName("subject")
        .setOptions(new AnalyzerResourceOptions())
        .setProperties(toStruct(props));
      connected().analyze(request, (error, response) =>
        error ? reject(error) : resolve(response.getDiagnosticsList()),
      );
    });

  it("serves every policy of the modules, all mandatory", async () => {
    const info = await new Promise<{ name: string; policies: [string, EnforcementLevel][] }>((resolve, reject) =>
      connected().getAnalyzerInfo(new Empty(), (error, response) =>
        error
          ? reject(error)
          : resolve({
              name: response.getName(),
              policies: response.getPoliciesList().map((p) => [p.getName(), p.getEnforcementlevel()]),
            }),
      ),
    );
    assert.equal(info.name, "whisper-async-guardrails");
    assert.deepEqual(info.policies.map(([name]) => name).sort(), ALL_POLICIES.map((policy) => policy.name).sort());
    assert.ok(info.policies.every(([, level]) => level === EnforcementLevel.MANDATORY));
  });

  it("reports a mandatory violation for a tagged model image", async () => {
    const diagnostics = await analyze("aws:sagemaker/model:Model", {
      executionRoleArn: "arn:aws:iam::123456789012:role/x",
      enableNetworkIsolation: true,
      primaryContainer: { image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/whisper:latest" },
    });
    const digest = diagnostics.filter((d) => d.getPolicyname() === "sagemaker-model-image-by-digest");
    assert.equal(digest.length, 1);
    assert.equal(digest[0].getEnforcementlevel(), EnforcementLevel.MANDATORY);
    assert.match(digest[0].getMessage(), /not pinned by digest/);
  });

  it("neither reports nor skips a check with an advisory when the image is unknown in preview", async () => {
    const diagnostics = await analyze("aws:sagemaker/model:Model", {
      executionRoleArn: "arn:aws:iam::123456789012:role/x",
      enableNetworkIsolation: true,
      primaryContainer: {
        image: UNKNOWN_DURING_PREVIEW,
        modelDataSource: {
          s3DataSources: [{ s3DataType: "S3Prefix", s3Uri: UNKNOWN_DURING_PREVIEW, compressionType: "None" }],
        },
      },
    });
    assert.deepEqual(
      diagnostics.map((d) => `${d.getPolicyname()}: ${d.getMessage()}`),
      [],
    );
  });

  const analyzeStack = (entries: StackEntry[]) =>
    new Promise<string[]>((resolve, reject) =>
      connected().analyzeStack(stackRequest(entries), (error, response) =>
        error
          ? reject(error)
          : resolve(
              response.getDiagnosticsList().map((d) => `${d.getPolicyname()} @ ${d.getUrn()}: ${d.getMessage()}`),
            ),
      ),
    );

  it("passes our stack in its first preview: links through property dependencies, no advisory skips", async () => {
    assert.deepEqual(await analyzeStack(previewStack()), []);
  });

  it("reports a bucket without a public access block in the first preview, on the bucket", async () => {
    const diagnostics = await analyzeStack(editStack(previewStack(), "data-public-access", null));
    assert.equal(diagnostics.length, 1);
    assert.match(diagnostics[0], /^s3-bucket-has-public-access-block @ urn:.*::data: /);
  });
});
