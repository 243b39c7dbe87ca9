/**
 * examples/typescript, a program of another team, run under the same mocks as this repository's program: with the
 * same settings it must create exactly what index.ts creates (every resource, its inputs: IAM, alarms, scaling),
 * only under its own names. What this does not prove: the Python and YAML examples, which need the Pulumi CLI to
 * generate their SDK (docs/component.md, "What was and was not run").
 */
import { strict as assert } from "node:assert";
import * as path from "node:path";
import { loadProgram, REGION, type Recorded } from "../program/mocks";

const EXAMPLE = path.resolve(__dirname, "../../examples/typescript/index.ts");

/** The example's settings as this repository's stack config writes them. */
const SAME_SETTINGS = {
  "aws:region": REGION,
  "whisper-async:maxInstances": "1",
  "whisper-async:idleMinutes": "10",
  "whisper-async:speakerLabels": "on-request",
  "whisper-async:callers": '["web"]',
  "whisper-async:tags": '{"team":"media"}',
};

/**
 * The cloud resources (not the components around them, whose recorded inputs are just the args as given) as
 * comparable text, with the example's component name (`captions`) read as the stack's (`whisper`).
 */
function normalized(resources: Recorded[], renamed: { from: string; to: string }): string[] {
  return resources
    .filter((r) => !r.type.startsWith("whisper-"))
    .map((r) => JSON.stringify({ type: r.type, name: r.name, inputs: r.inputs }).replaceAll(renamed.from, renamed.to))
    .sort();
}

describe("examples/typescript: the component in another program", function () {
  this.timeout(120_000);

  it("creates what index.ts creates with the same settings, under its own names", async function () {
    const stack = await loadProgram(SAME_SETTINGS);
    const example = await loadProgram({ "aws:region": REGION }, EXAMPLE);
    assert.ok(example.resources.length > 30, `${example.resources.length} resources`);
    const asStack = { from: "captions", to: "whisper" };
    const unchanged = { from: "", to: "" };
    assert.deepEqual(normalized(example.resources, asStack), normalized(stack.resources, unchanged));
    assert.equal(example.exports.endpointName, "captions-dev-g4dn-xlarge");
    assert.deepEqual(Object.keys(example.exports.callerPolicyArns as object), ["web"]);
  });
});
