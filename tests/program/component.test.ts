/**
 * WhisperService as another program uses it: its args checked by the same validation as the stack config (the
 * message names the argument), two services in one program, and the type token the component package uses.
 * What this does not prove: that `pulumi package add` runs the host (no Pulumi CLI here, see docs/component.md).
 */
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { markProgramStart, programResources, resolve, settled, REGION } from "./mocks";
import * as path from "node:path";
import { packagePath, scriptCommand } from "../../components/package-root";
import { WhisperService, type WhisperServiceArgs } from "../../components/whisper-service";

const ROOT = path.resolve(__dirname, "../..");

/** The message the component refuses `args` with. */
function refusal(args: WhisperServiceArgs): string {
  try {
    new WhisperService("refused", args);
  } catch (e) {
    assert.ok(pulumi.ResourceError.isInstance(e), `a ResourceError, got ${String(e)}`);
    return (e as Error).message;
  }
  throw new Error("accepted");
}

/** The physical names a resource asks AWS for (only these can collide; the rest are auto-named by the engine). */
const PHYSICAL_NAME_INPUTS = ["name", "namePrefix", "bucket", "roleName", "alarmName", "dashboardName"];

describe("WhisperService as a component of another program", function () {
  before(function () {
    pulumi.runtime.setAllConfig({ "aws:region": REGION });
  });

  it("refuses a bad argument with a message that names the argument (not a stack config key)", function () {
    assert.equal(refusal({ maxInstances: 0 }), 'maxInstances must be an integer from 1 to 100, got "0"');
    assert.equal(refusal({ minInstances: 3, maxInstances: 2 }), "minInstances (3) must not exceed maxInstances (2)");
    assert.match(refusal({ tags: { team: 7 } as never }), /^tags must be an object of string values, got/);
    assert.match(refusal({ callers: ["Web"] }), /^callers must be a list of distinct names/);
    assert.match(refusal({ instanceType: "ml.g6.xlarge" }), /^instancePricePerHour must be set for ml\.g6\.xlarge/);
    assert.match(refusal({ speakerLabels: "sometimes" as never }), /^speakerLabels must be one of off, on-request/);
    assert.match(
      refusal({ kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/k" }),
      /^kmsKeyArn encrypts the error topic .* set kmsKeyAllowsCloudWatch to true, or set alarmTopicArn/,
    );
  });

  it("runs two services in one program without a shared name, URN or endpoint", async function () {
    markProgramStart();
    const eu = new WhisperService("speech-eu", {});
    const batch = new WhisperService("speech-batch", { instanceType: "ml.g5.xlarge", maxInstances: 4 });
    const endpoints = await Promise.all([resolve(eu.endpointName), resolve(batch.endpointName)]);
    await settled();
    assert.deepEqual(endpoints, ["speech-eu-dev-g4dn-xlarge", "speech-batch-dev-g5-xlarge"]);

    const resources = programResources();
    const urns = resources.map((r) => `${r.type}::${r.name}`);
    assert.equal(new Set(urns).size, urns.length, "every resource has its own type and name");
    const physical = resources.flatMap((r) =>
      PHYSICAL_NAME_INPUTS.filter((input) => typeof r.inputs[input] === "string").map(
        (input) => `${r.type} ${input}=${r.inputs[input]}`,
      ),
    );
    assert.ok(physical.length >= 6, `physical names found: ${physical.join(", ")}`);
    assert.equal(new Set(physical).size, physical.length, `a physical name twice: ${physical.join(", ")}`);
    const logGroups = resources.filter((r) => r.type === "aws:cloudwatch/logGroup:LogGroup").map((r) => r.inputs.name);
    assert.deepEqual(logGroups.sort(), [
      "/aws/sagemaker/Endpoints/speech-batch-dev-g5-xlarge",
      "/aws/sagemaker/Endpoints/speech-eu-dev-g4dn-xlarge",
    ]);
  });

  it("registers as whisper-sagemaker-async:index:WhisperService, aliased to the token earlier stacks recorded", async function () {
    markProgramStart();
    const service = new WhisperService("tokened", {});
    const urn = await resolve(service.urn);
    await settled();
    assert.match(urn, /::whisper-sagemaker-async:index:WhisperService::tokened$/);
  });

  it("builds the image and runs its scripts from the package's files, relative to the program's directory", function () {
    assert.equal(packagePath("", ROOT), ".");
    assert.equal(packagePath("container/Dockerfile", ROOT), "container/Dockerfile");
    assert.equal(scriptCommand("scripts/package-model", ROOT), "node_modules/.bin/tsx scripts/package-model.ts");
    const consumer = path.join(ROOT, "examples", "typescript");
    assert.equal(packagePath("container/Dockerfile", consumer), "../../container/Dockerfile");
    assert.equal(
      scriptCommand("scripts/deploy-checks/endpoint-config", consumer),
      "../../node_modules/.bin/tsx ../../scripts/deploy-checks/endpoint-config.ts",
    );
  });
});
