/**
 * Pruning the Models and EndpointConfigurations the program keeps on replace (scripts/prune): against moto's
 * SageMaker, with an endpoint in service on an OLD configuration (as after a rolled-back update) and another stack's
 * resources beside it. What moto does not prove: SageMaker's refusal to delete a configuration an endpoint uses
 * (the plan never asks it to).
 */
import { strict as assert } from "node:assert";
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  ListEndpointConfigsCommand,
  ListModelsCommand,
  SageMakerClient,
} from "@aws-sdk/client-sagemaker";
import { applyPrune, planPrune } from "../../scripts/prune/plan";
import { runCli } from "../client/helpers";
import { useMotoWithBucket } from "../support/moto";

const ROLE = "arn:aws:iam::123456789012:role/whisper-exec-role";
const IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/whisper@sha256:" + "ab".repeat(32);
const OPTIONS = { keep: 2, modelPrefix: "whisper-endpoint-model-", configPrefix: "whisper-endpoint-config-" };

describe("prune kept Models and EndpointConfigurations (npm run prune) against moto", function () {
  this.timeout(60_000);
  const emulator = useMotoWithBucket("prune-bucket");
  let sagemaker: SageMakerClient;

  /** Model n and its configuration, created in order (n = 1 the oldest). */
  async function deploy(prefix: string, n: number): Promise<void> {
    await sagemaker.send(
      new CreateModelCommand({
        ModelName: `${prefix}-endpoint-model-${n}`,
        ExecutionRoleArn: ROLE,
        PrimaryContainer: { Image: IMAGE },
      }),
    );
    await sagemaker.send(
      new CreateEndpointConfigCommand({
        EndpointConfigName: `${prefix}-endpoint-config-${n}`,
        ProductionVariants: [
          {
            VariantName: "whisper",
            ModelName: `${prefix}-endpoint-model-${n}`,
            InstanceType: "ml.g4dn.xlarge",
            InitialInstanceCount: 1,
          },
        ],
      }),
    );
    await new Promise((r) => setTimeout(r, 20)); // distinct creation times
  }

  const names = async () => ({
    configs: ((await sagemaker.send(new ListEndpointConfigsCommand({}))).EndpointConfigs ?? [])
      .map((c) => c.EndpointConfigName!)
      .sort(),
    models: ((await sagemaker.send(new ListModelsCommand({}))).Models ?? []).map((m) => m.ModelName!).sort(),
  });

  beforeEach(async function () {
    sagemaker = new SageMakerClient({
      region: emulator.moto.awsEnv.AWS_REGION,
      endpoint: emulator.moto.endpoint,
      credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
    });
    for (let n = 1; n <= 5; n++) await deploy("whisper", n);
    await deploy("other", 1);
    // The endpoint runs configuration 2 (a later update rolled back), not the newest.
    await sagemaker.send(
      new CreateEndpointCommand({
        EndpointName: "whisper-dev-g4dn-xlarge",
        EndpointConfigName: "whisper-endpoint-config-2",
      }),
    );
  });

  it("keeps the newest N, the configuration in service and their models; deletes only the rest of this service's", async function () {
    const plan = await planPrune(sagemaker, OPTIONS);
    assert.deepEqual(plan.inService, { configs: ["whisper-endpoint-config-2"], models: ["whisper-endpoint-model-2"] });
    assert.deepEqual(plan.keepConfigs, [
      "whisper-endpoint-config-5",
      "whisper-endpoint-config-4",
      "whisper-endpoint-config-2",
    ]);
    assert.deepEqual(plan.deleteConfigs, ["whisper-endpoint-config-3", "whisper-endpoint-config-1"]);
    assert.deepEqual(plan.keepModels, [
      "whisper-endpoint-model-5",
      "whisper-endpoint-model-4",
      "whisper-endpoint-model-2",
    ]);
    assert.deepEqual(plan.deleteModels, ["whisper-endpoint-model-3", "whisper-endpoint-model-1"]);

    await applyPrune(sagemaker, plan);
    assert.deepEqual(await names(), {
      configs: [
        "other-endpoint-config-1",
        "whisper-endpoint-config-2",
        "whisper-endpoint-config-4",
        "whisper-endpoint-config-5",
      ],
      models: [
        "other-endpoint-model-1",
        "whisper-endpoint-model-2",
        "whisper-endpoint-model-4",
        "whisper-endpoint-model-5",
      ],
    });
  });

  it("refuses --keep 0 (the newest configuration may be the stack's current one, not yet in service)", async function () {
    await assert.rejects(planPrune(sagemaker, { ...OPTIONS, keep: 0 }), /keep must be an integer of at least 1, got 0/);
    const cli = await runCli("prune.ts", ["--keep", "0"], emulator.moto.awsEnv);
    assert.equal(cli.code, 2);
    assert.match(cli.stderr, /--keep must be an integer >= 1, got "0"/);
  });

  it("the CLI prints the plan and deletes only with --delete", async function () {
    const dry = await runCli("prune.ts", ["--keep", "2"], emulator.moto.awsEnv);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /^configurations to delete: whisper-endpoint-config-3, whisper-endpoint-config-1$/m);
    assert.match(dry.stdout, /^nothing deleted: run again with --delete$/m);
    assert.equal((await names()).configs.length, 6);
    const done = await runCli("prune.ts", ["--keep", "2", "--delete"], emulator.moto.awsEnv);
    assert.equal(done.code, 0, done.stderr);
    assert.match(done.stdout, /^deleted 2 configurations and 2 models$/m);
    assert.equal((await names()).configs.length, 4);
  });
});
