/**
 * How the engine replaces what the program names itself (components/replacement.ts): the options each registration
 * requests, read off the request, not only the inputs. Every resource with a name we set must ask for create-before-
 * delete explicitly (the AWS provider would otherwise delete it first, the live endpoint included), and that is only
 * safe when its name changes with every change that replaces it: here, with the instance type.
 *
 * What mocks cannot prove: the provider's diff (which changes replace); the claim rests on the name being the only
 * replace-forcing input of these types that the program sets.
 */
import { strict as assert } from "node:assert";
import { loadProgram, optionsOf, type Recorded } from "./mocks";
import { stackConfig } from "./stacks";

/** Input properties that carry a resource's own AWS name (auto-named by the provider when left unset). */
const NAME_PROPERTIES: Record<string, string> = {
  "aws:s3/bucket:Bucket": "bucket",
  "aws:s3/bucketV2:BucketV2": "bucket",
  "aws:cloudwatch/dashboard:Dashboard": "dashboardName",
  "aws:cloudwatch/metricAlarm:MetricAlarm": "name",
};

function ownName(resource: Recorded): string | undefined {
  const property = NAME_PROPERTIES[resource.type] ?? "name";
  const value = resource.inputs[property] ?? resource.inputs.namePrefix;
  return typeof value === "string" ? value : undefined;
}

describe("replacements of the resources the program names", function () {
  const named = async (instanceType: string) => {
    const { resources } = await loadProgram({ ...stackConfig("prod"), "whisper-async:instanceType": instanceType });
    return resources.filter((r) => !r.type.startsWith("whisper-async:") && ownName(r) !== undefined);
  };
  let g4: Recorded[];
  let g5: Recorded[];

  before(async function () {
    g4 = await named("ml.g4dn.xlarge");
    g5 = await named("ml.g5.xlarge");
  });

  it("names only the endpoint, its log group and its dashboard, and the drop folder's functions and their logs", function () {
    assert.deepEqual(g4.map((r) => r.type).sort(), [
      "aws:cloudwatch/dashboard:Dashboard",
      "aws:cloudwatch/logGroup:LogGroup",
      "aws:cloudwatch/logGroup:LogGroup",
      "aws:cloudwatch/logGroup:LogGroup",
      "aws:lambda/function:Function",
      "aws:lambda/function:Function",
      "aws:sagemaker/endpoint:Endpoint",
    ]);
  });

  it("asks the engine to create each one before it deletes the old, overriding the provider", function () {
    for (const resource of g4) {
      assert.equal(optionsOf(resource).deleteBeforeReplace, false, `${resource.type} ${resource.name}`);
    }
  });

  it("gives each one a new name when the instance type changes, so old and new exist side by side", function () {
    for (const before of g4) {
      const after = g5.find((r) => r.type === before.type && r.name === before.name);
      assert.ok(after, `${before.type} ${before.name} is still there`);
      assert.notEqual(ownName(after), ownName(before), `${before.type} gets a new name`);
      assert.match(ownName(before)!, /g4dn-xlarge/);
      assert.match(ownName(after)!, /g5-xlarge/);
    }
  });
});
