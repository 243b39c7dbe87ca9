/**
 * Pulumi mocks for the program tests: every registered resource is recorded with its inputs; the state
 * returned adds the ids/ARNs/names that real providers would compute.
 *
 * What mocks cannot prove: that AWS accepts these inputs (SageMaker validating the AMI for the instance type,
 * IAM evaluating the conditions, CloudWatch publishing the metrics with exactly these dimensions), that the
 * image builds, that package-model really uploads, nor the engine's ordering of replacements during an update. The
 * resource options the engine would act on (retainOnDelete, the URNs a resource waits for) are read off the
 * registration requests ({@link optionsOf}).
 * tests/aws-contract/ narrows the first gaps with AWS's own sources: the requests against botocore's service
 * models, the metrics against the table of what SageMaker publishes, the IAM documents with parliament.
 */
import * as pulumi from "@pulumi/pulumi";

/** Resource inputs as the engine passes them: loosely typed JSON, checked field by field in the tests. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Inputs = Record<string, any>;

export interface Recorded {
  type: string;
  name: string;
  inputs: Inputs;
}

export const ACCOUNT = "123456789012";
export const REGION = "eu-west-1";
export const DIGEST = "sha256:" + "ab".repeat(32);
export const MODEL_URI_OF = (bucket: string) =>
  `s3://${bucket}/models/Systran/faster-whisper-large-v3/edaa852ec7e145841d8ffdb056a99866b5f0a478/`;

export const recorded: Recorded[] = [];
export const calls: { token: string; inputs: Record<string, unknown> }[] = [];

function arn(service: string, resource: string): string {
  return `arn:aws:${service}:${REGION}:${ACCOUNT}:${resource}`;
}

/** Provider-computed outputs for the resource types the program creates. */
function computed(type: string, name: string, inputs: Inputs): Record<string, unknown> {
  switch (type) {
    case "aws:s3/bucket:Bucket":
      return { bucket: name, arn: `arn:aws:s3:::${name}` };
    case "aws:ecr/repository:Repository":
      return {
        name,
        arn: arn("ecr", `repository/${name}`),
        registryId: ACCOUNT,
        repositoryUrl: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${name}`,
      };
    case "docker-build:index:Image":
      return { digest: DIGEST, ref: `${String(inputs.tags?.[0]).split(":")[0]}@${DIGEST}` };
    case "command:local:Command": {
      // package-model prints the URI followed by a newline; the program must trim it. The deploy checks print a verdict.
      const bucket = String(inputs.create).match(/--bucket '([^']+)'/)?.[1];
      return { stdout: bucket === undefined ? "ok\n" : MODEL_URI_OF(bucket) + "\n", stderr: "" };
    }
    case "aws:sns/topic:Topic":
      return { arn: arn("sns", name) };
    case "aws:iam/role:Role":
      return { arn: `arn:aws:iam::${ACCOUNT}:role/${name}`, name };
    case "aws:iam/policy:Policy":
      return { arn: `arn:aws:iam::${ACCOUNT}:policy/${name}` };
    case "aws:sagemaker/model:Model":
    case "aws:sagemaker/endpointConfiguration:EndpointConfiguration":
      return { name };
    case "aws:sagemaker/endpoint:Endpoint":
      return { arn: arn("sagemaker", `endpoint/${inputs.name}`) };
    case "aws:sqs/queue:Queue":
      return { arn: arn("sqs", name), name, url: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${name}` };
    case "aws:lambda/function:Function":
      return { arn: arn("lambda", `function:${inputs.name ?? name}`), name: inputs.name ?? name };
    case "aws:cloudwatch/logGroup:LogGroup":
      return { arn: arn("logs", `log-group:${inputs.name ?? name}`) };
    case "aws:appautoscaling/policy:Policy":
      return { arn: arn("autoscaling", `scalingPolicy:${name}`) };
    default:
      return {};
  }
}

/**
 * The id and state the mocked provider gives a registered resource: its inputs plus the computed outputs, i.e.
 * the resource's outputs as a `pulumi up` would leave them under these mocks.
 */
export function mockedState(resource: Recorded): { id: string; state: Inputs } {
  const { type, name, inputs } = resource;
  return { id: `${name}-id`, state: { ...inputs, ...computed(type, name, inputs) } };
}

pulumi.runtime.setMocks(
  {
    newResource: (args: pulumi.runtime.MockResourceArgs) => {
      const resource = { type: args.type, name: args.name, inputs: args.inputs };
      recorded.push(resource);
      return mockedState(resource);
    },
    call: (args: pulumi.runtime.MockCallArgs) => {
      calls.push({ token: args.token, inputs: args.inputs });
      switch (args.token) {
        case "aws:ecr/getAuthorizationToken:getAuthorizationToken":
          return { userName: "AWS", password: "ecr-password", proxyEndpoint: "https://ecr", authorizationToken: "t" };
        case "aws:index/getCallerIdentity:getCallerIdentity":
          return { accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/test`, userId: "u" };
        case "aws:index/getRegion:getRegion":
          return { region: REGION, name: REGION };
        case "aws:index/getPartition:getPartition":
          return { partition: "aws", dnsSuffix: "amazonaws.com" };
        default:
          throw new Error(`unmocked call ${args.token}`);
      }
    },
  },
  "whisper-async",
  "dev",
  false,
);

/** What a registration asked of the engine beyond its inputs. */
export interface RequestedOptions {
  readonly retainOnDelete: boolean;
  /** `deleteBeforeReplace` as the program set it; undefined when it left the choice to the provider. */
  readonly deleteBeforeReplace: boolean | undefined;
  /** URNs of the resources it waits for: dependsOn and those its inputs come from. */
  readonly dependencies: string[];
}

const requestedOptions = new Map<string, RequestedOptions>();

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getRetainondelete(): boolean;
  getDeletebeforereplace(): boolean;
  getDeletebeforereplacedefined(): boolean;
  getDependenciesList(): string[];
}
// The mock monitor drops these options; the request still carries them, so they are taken from it on the way in.
const monitor = pulumi.runtime.getMonitor() as unknown as {
  registerResource(req: RegisterRequest, callback: unknown): unknown;
};
const registerResource = monitor.registerResource.bind(monitor);
monitor.registerResource = (req, callback) => {
  requestedOptions.set(`${req.getType()}::${req.getName()}`, {
    retainOnDelete: req.getRetainondelete(),
    deleteBeforeReplace: req.getDeletebeforereplacedefined() ? req.getDeletebeforereplace() : undefined,
    dependencies: req.getDependenciesList(),
  });
  return registerResource(req, callback);
};

/** The options the latest registration of this resource requested. */
export function optionsOf(resource: Recorded): RequestedOptions {
  const found = requestedOptions.get(`${resource.type}::${resource.name}`);
  if (found === undefined) throw new Error(`no registration request seen for ${resource.type} ${resource.name}`);
  return found;
}

/** Whether `resource` waits for `other` (directly). */
export function waitsFor(resource: Recorded, other: Recorded): boolean {
  return optionsOf(resource).dependencies.some((urn) => urn.endsWith(`${other.type}::${other.name}`));
}

export function resolve<T>(output: pulumi.Input<T>): Promise<pulumi.Unwrap<T>> {
  return new Promise((done) => pulumi.output(output).apply(done));
}

/** Waits until no new resource has been registered for a while (registrations inside applies lag the import). */
export async function settled(): Promise<void> {
  let count = -1;
  while (count !== recorded.length) {
    count = recorded.length;
    await new Promise((r) => setTimeout(r, 50));
  }
}

let programStart = 0;

/** Marks where the program's registrations begin, so resources of other test files do not count. */
export function markProgramStart(): void {
  programStart = recorded.length;
}

/** Resources registered since {@link markProgramStart}. */
export function programResources(): Recorded[] {
  return recorded.slice(programStart);
}

export function ofType(type: string): Recorded[] {
  return programResources().filter((r) => r.type === type);
}

export function one(type: string, nameSuffix?: string): Recorded {
  const found = ofType(type).filter((r) => nameSuffix === undefined || r.name.endsWith(nameSuffix));
  if (found.length !== 1) throw new Error(`expected one ${type} ${nameSuffix ?? ""}, found ${found.length}`);
  return found[0];
}

/** One run of a program, kept to hand to later callers with the same program, config and environment. */
interface ProgramRun {
  readonly exports: Record<string, unknown>;
  readonly resources: Recorded[];
  readonly options: [string, RequestedOptions][];
  readonly calls: typeof calls;
}

const runs = new Map<string, ProgramRun>();

/** Freezes `value` and everything in it, so a test that edits a shared run's resources fails where it edits. */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}

/**
 * Runs the program (index.ts, or the one at `programPath`) with exactly `config` (as `pulumi.runtime.setAllConfig`
 * takes it) and returns its resolved exports and the resources it registered, read-only (frozen: a test edits a
 * `structuredClone`). A program runs once per test process for each config and environment it reads (the region
 * variables, the platform): a later caller with the same ones gets that run's exports and resources again, and
 * they are registered again as the latest program's, with their registration options and the program's invokes,
 * so {@link ofType}, {@link one}, {@link optionsOf} and {@link calls} read them as after a fresh run. A run that
 * fails is not kept. (About 35 program runs in 12 configurations; each costs most of a CPU-second.)
 */
export async function loadProgram(
  config: Record<string, string>,
  programPath: string = require.resolve("../../index"),
): Promise<{ exports: Record<string, unknown>; resources: Recorded[] }> {
  pulumi.runtime.setAllConfig(config);
  const key = JSON.stringify([
    config,
    programPath,
    process.env.AWS_REGION,
    process.env.AWS_DEFAULT_REGION,
    process.platform,
  ]);
  markProgramStart();
  const kept = runs.get(key);
  if (kept) {
    recorded.push(...kept.resources);
    for (const [resource, options] of kept.options) requestedOptions.set(resource, options);
    calls.push(...kept.calls);
    return { exports: kept.exports, resources: programResources() };
  }
  const callsStart = calls.length;
  const run = await runProgram(programPath);
  runs.set(
    key,
    deepFreeze({
      ...run,
      options: run.resources.map((r): [string, RequestedOptions] => [`${r.type}::${r.name}`, optionsOf(r)]),
      calls: calls.slice(callsStart),
    }),
  );
  return { exports: run.exports, resources: programResources() };
}

/** Runs the program module afresh: out of the require cache before and after, so it registers everything anew. */
async function runProgram(programPath: string): Promise<{ exports: Record<string, unknown>; resources: Recorded[] }> {
  delete require.cache[programPath];
  try {
    // require, not import(): the mocks and config must be in place first, and mocha loads specs as CommonJS.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const program: Record<string, pulumi.Output<unknown> | string> = require(programPath);
    const exports: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(program)) exports[key] = await resolve(value);
    await settled();
    return { exports, resources: programResources() };
  } finally {
    delete require.cache[programPath];
  }
}
