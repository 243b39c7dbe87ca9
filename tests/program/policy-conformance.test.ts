/**
 * The real program (index.ts) under the mocks with the example stacks' config (Pulumi.dev.yaml, Pulumi.prod.yaml),
 * checked against every policy of the CrossGuard pack in policy/: each resource policy on each registered resource's
 * inputs (what the analyzer checks before `pulumi up` creates it), each stack policy on all resources' outputs (what
 * it checks after `up`). The policies are called directly through the policy tests' harness, never through a PolicyPack
 * (constructing one starts the analyzer's server). Then edited copies of the same resources prove that the check
 * can fail. Like every mock test, this cannot prove which properties the engine really sends (see mocks.ts).
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import type { ResourceClass } from "../../policy/lib/references";
import { checkResource, checkStack } from "../../policy/tests/harness";
import { loadProgram, mockedState, resolve, type Inputs, type Recorded } from "./mocks";
import { commentedSettings, stackConfig } from "./stacks";

const ROOT = path.resolve(__dirname, "../..");
const POLICY_DIR = path.join(ROOT, "policy");

type Policy = ResourceValidationPolicy | StackValidationPolicy;

const isPolicy = (value: unknown): value is Policy =>
  typeof value === "object" &&
  value !== null &&
  typeof (value as { name?: unknown }).name === "string" &&
  ("validateResource" in value || "validateStack" in value);

const isStackPolicy = (policy: Policy): policy is StackValidationPolicy => "validateStack" in policy;

/**
 * The pack's policies as policy/index.ts builds it: the lists (`s3Policies` ...) exported by the area modules
 * (policy/*.ts) that index.ts spreads into the pack, plus every policy those modules export, so that a policy
 * exported but left out of its list is noticed.
 */
function packPolicies(): { lists: Map<string, Policy[]>; exported: Set<Policy>; served: string[] } {
  const lists = new Map<string, Policy[]>();
  const exported = new Set<Policy>();
  for (const file of fs.readdirSync(POLICY_DIR).filter((f) => f.endsWith(".ts") && f !== "index.ts")) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const module: Record<string, unknown> = require(path.join(POLICY_DIR, file));
    for (const [key, value] of Object.entries(module)) {
      if (isPolicy(value)) exported.add(value);
      else if (Array.isArray(value) && value.length > 0 && value.every(isPolicy)) lists.set(key, value);
    }
  }
  const index = fs.readFileSync(path.join(POLICY_DIR, "index.ts"), "utf8");
  const served = [...(/policies:\s*\[([^\]]*)\]/.exec(index)?.[1] ?? "").matchAll(/\.\.\.(\w+)/g)].map((m) => m[1]);
  return { lists, exported, served };
}

/**
 * A value as the policy SDK hands it to a policy: secrets unwrapped to their plain value, properties whose value
 * is undefined left out (see @pulumi/policy deserialize.js), and resource references (a component's args may hold
 * resources) as the engine downgrades them for analyzers, which take no references: a custom resource's id, a
 * component's URN. Assets and archives, which the program never passes, fail the test rather than being guessed at.
 */
async function asAnalyzerSees(value: unknown): Promise<unknown> {
  if (value === null || typeof value !== "object") return value;
  if (pulumi.CustomResource.isInstance(value)) return resolve(value.id);
  if (pulumi.Resource.isInstance(value)) return resolve(value.urn);
  if (Array.isArray(value)) return Promise.all(value.map((item) => (item === undefined ? null : asAnalyzerSees(item))));
  const object = value as Record<string, unknown>;
  const sig = object[pulumi.runtime.specialSigKey];
  if (sig === pulumi.runtime.specialSecretSig) return asAnalyzerSees(object.value);
  if (sig !== undefined) throw new Error(`unexpected special value ${String(sig)} in resource properties`);
  const entries = Object.entries(object).filter(([, item]) => item !== undefined);
  return Object.fromEntries(await Promise.all(entries.map(async ([key, item]) => [key, await asAnalyzerSees(item)])));
}

/** The harness identifies a type by its class's `__pulumiType`; this stands for any registered type's class. */
const classOf = (type: string) => ({ __pulumiType: type, name: type }) as unknown as ResourceClass;

interface Violation {
  policy: string;
  resource: string | undefined;
  message: string;
}

interface PackRun {
  violations: Violation[];
  /** Names of the policies that were run. */
  run: string[];
  /** Resource policies that applied to none of the resources. */
  appliedToNothing: string[];
}

/** Runs every policy over the program's resources as the analyzer sees them during and after `pulumi up`. */
async function runPack(policies: Policy[], resources: Recorded[]): Promise<PackRun> {
  const result: PackRun = { violations: [], run: [], appliedToNothing: [] };
  // The engine links resources for stack policies by property dependencies (`bucket: bucket.id` makes the bucket
  // a dependency of the block's `bucket`); MockResourceArgs carries none. So the links resolve by value, as
  // policy/lib/references.ts does when dependencies are absent: each resource's outputs carry its `id` (as in
  // stack-fixture.ts's deployed stack), and what a dependent received as input is exactly the id, ARN or name
  // that the mocks gave as output.
  const outputs = await Promise.all(
    resources.map(async (resource) => {
      const { id, state } = mockedState(resource);
      const props = { ...((await asAnalyzerSees(state)) as Inputs), id };
      return { cls: classOf(resource.type), name: resource.name, props };
    }),
  );
  for (const policy of policies) {
    result.run.push(policy.name);
    if (isStackPolicy(policy)) {
      for (const { message, resource } of await checkStack(policy, outputs)) {
        result.violations.push({ policy: policy.name, resource, message });
      }
      continue;
    }
    let applied = false;
    for (const resource of resources) {
      const props = (await asAnalyzerSees(resource.inputs)) as Inputs;
      const violations = await checkResource(policy, classOf(resource.type), props);
      if (violations === "not applicable") continue;
      applied = true;
      for (const message of violations)
        result.violations.push({ policy: policy.name, resource: resource.name, message });
    }
    if (!applied) result.appliedToNothing.push(policy.name);
  }
  return result;
}

/** `resources` with each resource of `type` replaced by an edited deep copy, or removed if `edit` is null. */
function edited(resources: Recorded[], type: string, edit: ((inputs: Inputs) => void) | null): Recorded[] {
  assert.ok(
    resources.some((r) => r.type === type),
    `the program registers a ${type}`,
  );
  return resources.flatMap((resource) => {
    if (resource.type !== type) return [resource];
    if (edit === null) return [];
    const copy = structuredClone(resource);
    edit(copy.inputs);
    return [copy];
  });
}

describe("Pulumi program (dev stack) under the policy pack", function () {
  const { lists, exported, served } = packPolicies();
  const policies = [...lists.values()].flat();
  let resources: Recorded[];

  before(async function () {
    ({ resources } = await loadProgram(stackConfig("dev")));
  });

  const nameOf = (type: string) => {
    const found = resources.filter((r) => r.type === type);
    assert.equal(found.length, 1, `one ${type}`);
    return found[0].name;
  };

  it("takes its policies from the lists the pack is built from, covering every exported policy", function () {
    assert.deepEqual([...lists.keys()].sort(), [...served].sort(), "the lists policy/index.ts spreads into the pack");
    assert.ok(policies.length > 0);
    assert.equal(new Set(policies).size, policies.length, "no policy listed twice");
    assert.equal(policies.length, exported.size, "every exported policy is in its module's list");
    for (const policy of exported) assert.ok(policies.includes(policy), `${policy.name} is in a list`);
  });

  it("passes every policy, each resource policy applying to at least one resource", async function () {
    assert.ok(resources.length > 0);
    const { violations, run, appliedToNothing } = await runPack(policies, resources);
    assert.deepEqual(violations, []);
    assert.ok(run.length > 0);
    assert.equal(run.length, exported.size);
    assert.deepEqual(
      run,
      policies.map((p) => p.name),
    );
    // A policy that matches none of the program's resource types guards nothing (e.g. after a switch from Bucket
    // to another resource type the policy does not know).
    assert.deepEqual(appliedToNothing, []);
  });

  // Each edit breaks one rule; exactly the matching policy must report it, on the resource at fault.
  const negatives: {
    title: string;
    edit: (resources: Recorded[]) => Recorded[];
    policy: string;
    resource: () => string;
    message: RegExp;
  }[] = [
    {
      title: "a bucket without its public access block",
      edit: (all) => edited(all, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", null),
      policy: "s3-bucket-has-public-access-block",
      resource: () => nameOf("aws:s3/bucket:Bucket"),
      message: /has no aws\.s3\.BucketPublicAccessBlock/,
    },
    {
      title: "a public access block attached to another bucket",
      edit: (all) =>
        edited(all, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", (inputs) => {
          inputs.bucket = "some-other-bucket";
        }),
      policy: "s3-bucket-has-public-access-block",
      resource: () => nameOf("aws:s3/bucket:Bucket"),
      message: /has no aws\.s3\.BucketPublicAccessBlock/,
    },
    {
      title: "the model image by a :latest tag",
      edit: (all) =>
        edited(all, "aws:sagemaker/model:Model", (inputs) => {
          inputs.primaryContainer.image = String(inputs.primaryContainer.image).replace(/@sha256:.*$/, ":latest");
        }),
      policy: "sagemaker-model-image-by-digest",
      resource: () => nameOf("aws:sagemaker/model:Model"),
      message: /:latest" is not pinned by digest/,
    },
    {
      title: "a wildcard action in the execution role's policy",
      // The execution role's only: the drop folder's function roles are role policies too.
      edit: (all) =>
        all.map((r) => {
          if (!r.name.endsWith("-exec-policy")) return r;
          const copy = structuredClone(r);
          const document = JSON.parse(copy.inputs.policy);
          document.Statement.push({ Effect: "Allow", Action: "s3:*", Resource: document.Statement[0].Resource });
          copy.inputs.policy = JSON.stringify(document);
          return copy;
        }),
      policy: "iam-no-wildcard-actions",
      resource: () => resources.find((r) => r.name.endsWith("-exec-policy"))!.name,
      message: /s3:\*/,
    },
    {
      title: "scale to zero without the HasBacklogWithoutCapacity wake-up alarm",
      edit: (all) =>
        all.filter(
          (r) =>
            !(
              r.type === "aws:cloudwatch/metricAlarm:MetricAlarm" && r.inputs.metricName === "HasBacklogWithoutCapacity"
            ),
        ),
      policy: "scale-to-zero-has-wake-up-policy",
      resource: () => nameOf("aws:appautoscaling/target:Target"),
      message: /minCapacity 0 but no step scaling policy/,
    },
    {
      title: "the failure alarm on a per-variant metric with EndpointName only",
      edit: (all) =>
        all.map((r) => {
          if (!r.name.endsWith("-failures")) return r;
          const copy = structuredClone(r);
          const [first] = copy.inputs.metricQueries;
          first.metric.dimensions = { EndpointName: first.metric.dimensions.EndpointName };
          return copy;
        }),
      policy: "variant-alarms-endpoint-and-variant",
      resource: () => resources.find((r) => r.name.endsWith("-failures"))!.name,
      message:
        /Invocation5XXErrors has dimensions \[EndpointName\]; SageMaker publishes it with EndpointName and VariantName/,
    },
  ];

  for (const negative of negatives) {
    it(`reports ${negative.title} (${negative.policy})`, async function () {
      const changed = negative.edit(resources);
      assert.notDeepEqual(changed, resources, "the edit changed the resources");
      const { violations } = await runPack(policies, changed);
      assert.equal(violations.length, 1, JSON.stringify(violations, null, 2));
      const [violation] = violations;
      assert.equal(violation.policy, negative.policy);
      assert.equal(violation.resource, negative.resource());
      assert.match(violation.message, negative.message);
    });
  }
});

describe("Pulumi program (prod example with its commented options: KMS key, alarm topic, callers) under the policy pack", function () {
  it("passes every policy", async function () {
    const { resources } = await loadProgram({ ...stackConfig("prod"), ...commentedSettings("prod") });
    const policies = [...packPolicies().lists.values()].flat();
    const { violations, run } = await runPack(policies, resources);
    assert.deepEqual(violations, []);
    assert.equal(run.length, policies.length);
  });
});
