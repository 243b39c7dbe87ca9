/**
 * The second `pulumi up` and every one after, under mocks: the image is pushed with Docker media types and checked
 * in ECR before any Model uses it; updates are blue/green with a termination wait inside the provider's waiter;
 * the old Model and EndpointConfiguration survive a rolled-back update, and a check after each config change fails
 * the up unless SageMaker runs the new config; a destroyed stack can be created again.
 *
 * What mocks cannot prove: that SageMaker drains the old fleet as documented, nor that the checks' AWS calls
 * answer as the stubs in tests/deploy-checks do (those run the checks against moto and a stub).
 */
import { strict as assert } from "node:assert";
import { DEFAULTS, PROVIDER_ENDPOINT_WAITER_SECONDS } from "../../components/config";
import { loadProgram, optionsOf, waitsFor, type Recorded } from "./mocks";
import { stackConfig } from "./stacks";

const MODEL = "aws:sagemaker/model:Model";
const CONFIG = "aws:sagemaker/endpointConfiguration:EndpointConfiguration";
const ENDPOINT = "aws:sagemaker/endpoint:Endpoint";
const COMMAND = "command:local:Command";

describe("updates, rollbacks and re-creation under mocks", function () {
  let resources: Recorded[];
  let exports: Record<string, unknown>;
  const one = (type: string, suffix = "") => {
    const found = resources.filter((r) => r.type === type && r.name.endsWith(suffix));
    assert.equal(found.length, 1, `one ${type} ${suffix}`);
    return found[0];
  };

  before(async function () {
    ({ resources, exports } = await loadProgram(stackConfig("prod")));
  });

  it("pushes the image with Docker media types and no other export, whatever the local image store", function () {
    const image = one("docker-build:index:Image");
    assert.deepEqual(image.inputs.exports, [{ registry: { ociMediaTypes: false } }]);
    assert.equal(image.inputs.push, false, "push: true would add a second registry export with BuildKit's defaults");
    assert.equal(image.inputs.load, undefined, "no export into the local image store");
  });

  it("checks the pushed manifest's media type in ECR before any Model uses the image", function () {
    const check = one(COMMAND, "-manifest-check");
    const repo = one("aws:ecr/repository:Repository");
    assert.match(
      check.inputs.create,
      new RegExp(
        `^node_modules/\\.bin/tsx scripts/deploy-checks/image-manifest\\.ts --repository '${repo.name}' --digest 'sha256:[0-9a-f]{64}'$`,
      ),
    );
    assert.deepEqual(check.inputs.triggers, [String(exports.imageUri).split("@")[1]]);
    assert.ok(waitsFor(one(MODEL), check), "the Model waits for the manifest check");
    assert.ok(!waitsFor(check, one(MODEL)), "(and not the other way round: the edge is read, not assumed)");
  });

  it("keeps the Model and EndpointConfiguration on delete and replace; the Endpoint and fixed names go", function () {
    assert.equal(optionsOf(one(MODEL)).retainOnDelete, true);
    assert.equal(optionsOf(one(CONFIG)).retainOnDelete, true);
    for (const resource of resources.filter((r) => r.type !== MODEL && r.type !== CONFIG)) {
      assert.equal(optionsOf(resource).retainOnDelete, false, `${resource.type} ${resource.name} is deleted`);
    }
  });

  it("can be destroyed and created again: every resource kept has a generated name", function () {
    // A kept resource with a fixed name would make the next `up` of the same stack fail with "already exists".
    for (const resource of resources.filter((r) => optionsOf(r).retainOnDelete)) {
      assert.equal(resource.inputs.name, undefined, `${resource.type} ${resource.name} is autonamed`);
    }
  });

  it("updates blue/green: all traffic at once, then the old fleet drains for the termination wait", function () {
    assert.deepEqual(one(ENDPOINT).inputs.deploymentConfig, {
      blueGreenUpdatePolicy: {
        trafficRoutingConfiguration: { type: "ALL_AT_ONCE", waitIntervalInSeconds: 0 },
        terminationWaitInSeconds: DEFAULTS.updateTerminationWaitMinutes * 60,
        maximumExecutionTimeoutInSeconds: PROVIDER_ENDPOINT_WAITER_SECONDS,
      },
    });
  });

  it("verifies after each config change that the endpoint runs the new config, failing the up otherwise", function () {
    const verify = one(COMMAND, "-verify");
    const config = one(CONFIG);
    const endpoint = one(ENDPOINT);
    assert.equal(
      verify.inputs.create,
      `node_modules/.bin/tsx scripts/deploy-checks/endpoint-config.ts --endpoint '${endpoint.inputs.name}' --config '${config.name}'`,
    );
    assert.deepEqual(verify.inputs.triggers, [config.name], "runs again whenever the config is replaced");
    assert.ok(waitsFor(verify, endpoint), "runs after the endpoint's create or update");
  });

  it("exports the quota the endpoint counts against and the instances an update needs (maxInstances + 1)", function () {
    assert.equal(exports.endpointQuotaName, "ml.g5.xlarge for endpoint usage");
    assert.equal(exports.instancesNeededDuringUpdate, 5, "prod: maxInstances 4, plus the new fleet's first");
  });
});
