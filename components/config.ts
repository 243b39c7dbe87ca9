/**
 * The service's settings, typed and validated. Every default lives in {@link DEFAULTS}; every check lives in
 * {@link resolveServiceSettings}, which both front doors share: the component's {@link WhisperServiceArgs} (names
 * as they are, `maxInstances`) and this repository's stack config (`whisper-async:maxInstances`, read by
 * {@link loadStackConfig}, which only turns the config's strings into those args).
 */
import serverContract from "../contract/server-contract.json";
import { FORMATS, type Format } from "../functions/drop-folder/layout";
import { OptionsError, parseOptionPairs } from "../functions/drop-folder/options";
import { defaultInstancePrice } from "./instance-price";
import type { WhisperServiceArgs } from "./service-args";
import { ConfigError } from "./config-error";

/** Reads one raw config value (without the project prefix), or undefined when it is not set. */
export type ConfigGetter = (key: string) => string | undefined;

export type ComputeType = "float16" | "int8_float16" | "int8" | "float32";

export type SpeakerLabels = "off" | "on-request" | "always";

export interface StackConfig {
  /** SageMaker GPU instance type (ml.g4dn, ml.g5, ml.g6, ml.g6e, ml.p3, ml.p4d, ml.p4de, ml.p5, ml.p5e families). */
  readonly instanceType: string;
  /** Fewest instances the endpoint keeps; 0 lets it scale to zero. */
  readonly minInstances: number;
  /** Most instances the endpoint scales out to. */
  readonly maxInstances: number;
  /** Minutes with an empty backlog before the endpoint scales in to zero. */
  readonly idleMinutes: number;
  /** Target queued + running requests per instance for the backlog target-tracking policy. */
  readonly backlogTargetPerInstance: number;
  /** Concurrent requests SageMaker sends to one instance (the container queues beyond the one running). */
  readonly maxConcurrentInvocationsPerInstance: number;
  /** Hugging Face repository with a CTranslate2 Whisper model (ignored when modelLocalDir is set). */
  readonly modelRepo: string;
  /** Pinned 40-hex commit of modelRepo. */
  readonly modelRevision: string;
  /** Local directory with a CTranslate2 model to upload instead of a Hugging Face revision. */
  readonly modelLocalDir?: string;
  /** WHISPER_COMPUTE_TYPE; unset: the server's default for the GPU (float16). */
  readonly computeType?: ComputeType;
  /** WHISPER_BATCH_SIZE, chunks per batch on the GPU; unset: the server's default. */
  readonly batchSize?: number;
  /** WHISPER_BEAM_SIZE, the default beam width; unset: the server's default. */
  readonly beamSize?: number;
  /** WHISPER_CHUNK_SECONDS, the longest stretch of speech decoded in one window; unset: the server's GPU default (30). */
  readonly chunkSeconds?: number;
  /** WHISPER_MIN_WINDOW_SECONDS, the smallest encoder window; unset: the server's GPU default (30). */
  readonly minWindowSeconds?: number;
  /** Days after which async request data (inputs, outputs, failures) expires. */
  readonly retentionDays: number;
  /** Customer-managed KMS key ARN for the bucket, async outputs and SNS topics; AES256/AWS-managed when unset. */
  readonly kmsKeyArn?: string;
  /** SNS topic for the operational alarms; the error topic when unset. */
  readonly alarmTopicArn?: string;
  /**
   * The customer KMS key's policy lets `cloudwatch.amazonaws.com` use it (kms:Decrypt, kms:GenerateDataKey*), so
   * CloudWatch can publish alarms to the error topic that the key encrypts. Default false: with kmsKeyArn set and
   * no alarmTopicArn, the config is refused instead of alarms being silently dropped.
   */
  readonly kmsKeyAllowsCloudWatch: boolean;
  /**
   * Names of the apps that submit jobs, each getting its own client policy limited to its own input prefix
   * (`async/inputs/<caller>/`). Empty (default): one shared client policy for a single trusted caller.
   */
  readonly callers: readonly string[];
  /**
   * Put the result (the transcript, or the error body) into the success and error notifications when it is at
   * most 128 KB (SageMaker's limit), so a subscriber needs no S3 read. Default false: transcripts stay in S3.
   */
  readonly resultInNotifications: boolean;
  /**
   * Speaker labels: `off` (no diarization models), `on-request` (the models are packaged next to Whisper and a
   * request asks with `diarize=true`), `always` (every request is labelled unless it says `diarize=false`).
   */
  readonly speakerLabels: SpeakerLabels;
  /** SageMaker inference AMI (sets the host's NVIDIA driver / CUDA version). */
  readonly inferenceAmiVersion: string;
  /** Let `pulumi destroy` delete a non-empty bucket and ECR repository. */
  readonly forceDestroy: boolean;
  /** ECR images kept by the repository's lifecycle policy. */
  readonly imagesToKeep: number;
  /** Seconds the container may take to pass its first /ping (model load included). */
  readonly startupHealthCheckTimeoutSeconds: number;
  /** Seconds SageMaker may take to copy the model prefix to the instance. */
  readonly modelDownloadTimeoutSeconds: number;
  /**
   * Minutes the old fleet keeps running after an update has moved traffic to the new one (blue/green
   * TerminationWaitInSeconds), so the jobs it already holds can finish. Default 20.
   */
  readonly updateTerminationWaitMinutes: number;
  /** Minutes the oldest queued request may wait before the stuck-backlog alarm fires. */
  readonly oldestRequestAlarmMinutes: number;
  /** Tags put on every taggable resource. */
  readonly tags: Readonly<Record<string, string>>;
  /**
   * US dollars per instance-hour, for the cost figures (dashboard, `npm run cost`). Defaults, in us-east-1
   * only, to the on-demand price of `instanceType` (ON_DEMAND_PRICE_PER_HOUR_US_EAST_1 in instance-price.ts);
   * required for other types and in every other region.
   */
  readonly instancePricePerHour: number;
  /** Days CloudWatch Logs keeps the endpoint's log lines (the source of the cost metrics). */
  readonly logRetentionDays: number;
  /**
   * The drop folder (docs/drop-folder.md): recordings put under `drop/` are transcribed into `results/`. Default
   * true: it costs nothing while unused (two idle functions, an empty queue) and needs no client code.
   */
  readonly dropFolder: boolean;
  /** Files the drop folder writes per recording, of json, txt, srt, vtt. Default all four. */
  readonly dropFolderFormats: readonly Format[];
  /** Options for every dropped recording, `key=value;key=value` (the server's); empty (default): its defaults. */
  readonly dropFolderOptions: string;
  /** Days after which dropped recordings expire; unset (default): kept until deleted. Transcripts are kept. */
  readonly dropFolderRetentionDays?: number;
}

/** Every setting of the stack is an argument of the component, under the same name. */
const everySettingIsAnArgument: Exclude<keyof StackConfig, keyof WhisperServiceArgs> extends never ? true : never =
  true;
void everySettingIsAnArgument;

/** The one place holding defaults (see docs/deploying.md, "Config", for the table). */
export const DEFAULTS = {
  instanceType: "ml.g4dn.xlarge",
  minInstances: 0,
  maxInstances: 2,
  idleMinutes: 15,
  backlogTargetPerInstance: 4,
  maxConcurrentInvocationsPerInstance: 4,
  modelRepo: "Systran/faster-whisper-large-v3",
  modelRevision: "edaa852ec7e145841d8ffdb056a99866b5f0a478",
  retentionDays: 7,
  inferenceAmiVersion: "al2-ami-sagemaker-inference-gpu-3-1",
  resultInNotifications: false,
  speakerLabels: "off",
  kmsKeyAllowsCloudWatch: false,
  forceDestroy: false,
  imagesToKeep: 5,
  startupHealthCheckTimeoutSeconds: 900,
  modelDownloadTimeoutSeconds: 900,
  updateTerminationWaitMinutes: 20,
  oldestRequestAlarmMinutes: 30,
  logRetentionDays: 30,
  dropFolder: true,
  dropFolderFormats: ["json", "srt", "vtt", "txt"],
  dropFolderOptions: "",
} as const satisfies Partial<StackConfig>;

/** Retention values CloudWatch Logs accepts (PutRetentionPolicy), in days. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** GPU instance families SageMaker async endpoints can run our CUDA 12 image on. */
export const GPU_FAMILIES = ["g4dn", "g5", "g6", "g6e", "p3", "p4d", "p4de", "p5", "p5e"] as const;

/** Inference AMIs with a CUDA 12 driver (the image is built on CUDA 12.4). */
export const CUDA12_AMI_VERSIONS = ["al2-ami-sagemaker-inference-gpu-3-1"] as const;

export const COMPUTE_TYPES: readonly ComputeType[] = ["float16", "int8_float16", "int8", "float32"];

export const SPEAKER_LABELS: readonly SpeakerLabels[] = ["off", "on-request", "always"];

/** A server setting's bounds as the server publishes them (contract/server-contract.json, `npm run contract`). */
function serverSettingBounds<
  S extends "WHISPER_BATCH_SIZE" | "WHISPER_BEAM_SIZE" | "WHISPER_CHUNK_SECONDS" | "WHISPER_MIN_WINDOW_SECONDS",
>(setting: S) {
  const { minimum, maximum } = serverContract.settings[setting];
  return { setting, min: minimum, max: maximum };
}

/**
 * Bounds of the server settings a stack may set, checked at preview rather than at the container's start. The
 * server's pydantic fields own them and publish them in the generated contract; a contract test also feeds the
 * bounds to the server's own parser.
 */
export const SERVER_SETTING_BOUNDS = {
  batchSize: serverSettingBounds("WHISPER_BATCH_SIZE"),
  beamSize: serverSettingBounds("WHISPER_BEAM_SIZE"),
  chunkSeconds: serverSettingBounds("WHISPER_CHUNK_SECONDS"),
  minWindowSeconds: serverSettingBounds("WHISPER_MIN_WINDOW_SECONDS"),
} as const;

/**
 * The provider waits for an endpoint create or update for a fixed 60 minutes (the Terraform-based provider's
 * endpoint waiter; Pulumi's customTimeouts do not reach it), then fails the `up` while SageMaker goes on.
 */
export const PROVIDER_ENDPOINT_WAITER_SECONDS = 3600;

/** Time allowed for SageMaker to launch the new fleet's instance before the model download starts. */
export const INSTANCE_LAUNCH_ALLOWANCE_SECONDS = 300;

export { ConfigError };

const INSTANCE_TYPE = /^ml\.([a-z0-9]+)\.([a-z0-9]+)$/;
const REVISION = /^[0-9a-f]{40}$/;
const HF_REPO = /^[A-Za-z0-9][\w.-]*\/[\w.-]+$/;
const KMS_KEY_ARN = /^arn:aws[\w-]*:kms:[a-z0-9-]+:\d{12}:key\/[\w-]+$/;
const SNS_TOPIC_ARN = /^arn:aws[\w-]*:sns:[a-z0-9-]+:\d{12}:[\w-]+$/;
/** A caller name: a key prefix segment and part of an IAM policy name, so lowercase letters, digits and '-'. */
const CALLER = /^[a-z0-9][a-z0-9-]{0,31}$/;

/**
 * How a front door names its settings in messages: the component by the argument (`maxInstances`), the stack config
 * by its key (`whisper-async:maxInstances`, whose lists and maps are JSON strings).
 */
export interface SettingNames {
  /** The setting as the user wrote it. */
  name(key: keyof WhisperServiceArgs): string;
  /** What a map or list is: "a JSON object"/"a JSON list" in the stack config's strings, else "an object"/"a list". */
  readonly shapes: { readonly map: string; readonly list: string };
}

/** The component's names: the arguments themselves. */
export const ARGUMENT_NAMES: SettingNames = {
  name: (key) => key,
  shapes: { map: "an object", list: "a list" },
};

/** The stack config's names: `whisper-async:<key>`. */
export const STACK_CONFIG_NAMES: SettingNames = {
  name: (key) => `whisper-async:${key}`,
  shapes: { map: "a JSON object", list: "a JSON list" },
};

type Key = keyof WhisperServiceArgs;

/** A value as the message quotes it (the stack config's string verbatim). */
function shown(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** The checks over one set of args, each naming its setting the way the front door does. */
class Checker {
  constructor(
    private readonly args: Partial<Record<Key, unknown>>,
    private readonly names: SettingNames,
  ) {}

  name(key: Key): string {
    return this.names.name(key);
  }

  refuse(key: Key, shape: string): never {
    throw new ConfigError(`${this.name(key)} must be ${shape}, got "${shown(this.args[key])}"`);
  }

  isSet(key: Key): boolean {
    const value = this.args[key];
    return value !== undefined && value !== null && value !== "";
  }

  integer(key: Key, fallback: number, min: number, max: number): number;
  integer(key: Key, fallback: undefined, min: number, max: number): number | undefined;
  integer(key: Key, fallback: number | undefined, min: number, max: number): number | undefined {
    if (!this.isSet(key)) return fallback;
    const value = this.args[key];
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
      this.refuse(key, `an integer from ${min} to ${max}`);
    }
    return value;
  }

  oneOf<T extends string>(key: Key, fallback: T, allowed: readonly T[]): T;
  oneOf<T extends string>(key: Key, fallback: undefined, allowed: readonly T[]): T | undefined;
  oneOf<T extends string>(key: Key, fallback: T | undefined, allowed: readonly T[]): T | undefined {
    if (!this.isSet(key)) return fallback;
    const value = this.args[key];
    if (!(allowed as readonly unknown[]).includes(value)) this.refuse(key, `one of ${allowed.join(", ")}`);
    return value as T;
  }

  matching(key: Key, pattern: RegExp, shape: string): string | undefined {
    if (!this.isSet(key)) return undefined;
    const value = this.args[key];
    if (typeof value !== "string" || !pattern.test(value)) this.refuse(key, shape);
    return value;
  }

  text(key: Key): string | undefined {
    if (!this.isSet(key)) return undefined;
    const value = this.args[key];
    if (typeof value !== "string") this.refuse(key, "a string");
    return value;
  }

  boolean(key: Key, fallback: boolean): boolean {
    if (!this.isSet(key)) return fallback;
    const value = this.args[key];
    if (typeof value !== "boolean") this.refuse(key, "true or false");
    return value;
  }

  instanceType(): string {
    const value = this.isSet("instanceType") ? this.args.instanceType : DEFAULTS.instanceType;
    const family = typeof value === "string" ? INSTANCE_TYPE.exec(value)?.[1] : undefined;
    if (family === undefined) {
      throw new ConfigError(
        `${this.name("instanceType")} must look like ml.<family>.<size> (e.g. ml.g5.xlarge), got "${shown(value)}"`,
      );
    }
    if (!(GPU_FAMILIES as readonly string[]).includes(family)) {
      throw new ConfigError(
        `${this.name("instanceType")} must be a GPU instance of family ${GPU_FAMILIES.join(", ")}; "${shown(value)}" is not`,
      );
    }
    return value as string;
  }

  instancePricePerHour(type: string, region: string | undefined): number {
    if (!this.isSet("instancePricePerHour"))
      return defaultInstancePrice(type, region, this.name("instancePricePerHour"));
    const value = this.args.instancePricePerHour;
    if (typeof value !== "number" || !Number.isFinite(value) || value <= 0 || value > 1000) {
      this.refuse("instancePricePerHour", "a number of dollars above 0 and at most 1000");
    }
    return value;
  }

  logRetentionDays(): number {
    if (!this.isSet("logRetentionDays")) return DEFAULTS.logRetentionDays;
    const value = this.args.logRetentionDays;
    if (!(LOG_RETENTION_DAYS as readonly unknown[]).includes(value)) {
      this.refuse("logRetentionDays", `one of ${LOG_RETENTION_DAYS.join(", ")}`);
    }
    return value as number;
  }

  tags(): Record<string, string> {
    if (!this.isSet("tags")) return {};
    const value = this.args.tags;
    const isStringMap =
      typeof value === "object" &&
      value !== null &&
      !Array.isArray(value) &&
      Object.values(value).every((v) => typeof v === "string");
    if (!isStringMap) this.refuse("tags", `${this.names.shapes.map} of string values`);
    return { ...(value as Record<string, string>) };
  }

  callers(): string[] {
    if (!this.isSet("callers")) return [];
    const value = this.args.callers;
    const valid =
      Array.isArray(value) &&
      value.every((name) => typeof name === "string" && CALLER.test(name)) &&
      new Set(value).size === value.length;
    if (!valid) this.refuse("callers", `${this.names.shapes.list} of distinct names matching ${CALLER.source}`);
    return [...(value as string[])];
  }

  dropFolderFormats(): Format[] {
    if (!this.isSet("dropFolderFormats")) return [...DEFAULTS.dropFolderFormats];
    const value = this.args.dropFolderFormats;
    const valid =
      Array.isArray(value) &&
      value.length > 0 &&
      value.every((format) => (FORMATS as readonly unknown[]).includes(format)) &&
      new Set(value).size === value.length;
    if (!valid)
      this.refuse("dropFolderFormats", `${this.names.shapes.list} of distinct formats of ${FORMATS.join(", ")}`);
    return [...(value as Format[])];
  }

  /** The options for every dropped recording: known option names, each once (the server checks the values). */
  dropFolderOptions(): string {
    const value = this.text("dropFolderOptions") ?? DEFAULTS.dropFolderOptions;
    try {
      parseOptionPairs(value, this.name("dropFolderOptions"));
    } catch (e) {
      if (e instanceof OptionsError) throw new ConfigError(e.message);
      throw e;
    }
    return value;
  }

  /**
   * CloudWatch publishes an alarm to a KMS-encrypted topic only if the key policy lets cloudwatch.amazonaws.com use
   * the key; otherwise the notification is dropped without any error. We do not own the key, so we cannot add that
   * grant: the user routes alarms elsewhere or confirms the key policy (docs/deploying.md, "KMS").
   */
  checkAlarmRoute(kmsKeyArn: string | undefined, alarmTopicArn: string | undefined, allows: boolean): void {
    if (kmsKeyArn !== undefined && alarmTopicArn === undefined && !allows) {
      throw new ConfigError(
        `${this.name("kmsKeyArn")} encrypts the error topic that receives the alarms, and CloudWatch can publish ` +
          "there only if the key policy allows cloudwatch.amazonaws.com kms:Decrypt and kms:GenerateDataKey*: add " +
          `that statement and set ${this.name("kmsKeyAllowsCloudWatch")} to true, or set ` +
          `${this.name("alarmTopicArn")} to another topic`,
      );
    }
  }

  /**
   * A blue/green update runs, within the provider's one waiter: launching the new instance, the model download, the
   * container's startup until its first /ping, then the termination wait while the old fleet drains. If they can
   * add up to more than the waiter, an update the endpoint would finish fails the `up` halfway.
   */
  checkUpdateFitsWaiter(startup: number, download: number, terminationWaitMinutes: number): void {
    const total = INSTANCE_LAUNCH_ALLOWANCE_SECONDS + download + startup + terminationWaitMinutes * 60;
    if (total > PROVIDER_ENDPOINT_WAITER_SECONDS) {
      throw new ConfigError(
        `${this.name("modelDownloadTimeoutSeconds")} (${download}) + ${this.name("startupHealthCheckTimeoutSeconds")} ` +
          `(${startup}) + ${this.name("updateTerminationWaitMinutes")} (${terminationWaitMinutes} min = ` +
          `${terminationWaitMinutes * 60} s) + ${INSTANCE_LAUNCH_ALLOWANCE_SECONDS} s to launch the instance is ` +
          `${total} s, more than the provider's fixed ${PROVIDER_ENDPOINT_WAITER_SECONDS} s endpoint waiter: lower ` +
          "one of them",
      );
    }
  }
}

/** What a brought resource's id looks like, checked where the value is a plain string (not another resource's output). */
const BROUGHT_SHAPES = {
  bucketName: [/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "an S3 bucket name"],
  successTopicArn: [SNS_TOPIC_ARN, "an SNS topic ARN arn:aws:sns:<region>:<account>:<name>"],
  errorTopicArn: [SNS_TOPIC_ARN, "an SNS topic ARN arn:aws:sns:<region>:<account>:<name>"],
  vpcSubnetIds: [/^subnet-[0-9a-f]+$/, "a list of subnet ids (subnet-...)"],
  vpcSecurityGroupIds: [/^sg-[0-9a-f]+$/, "a list of security group ids (sg-...)"],
} as const satisfies Partial<Record<keyof WhisperServiceArgs, readonly [RegExp, string]>>;

/** Pairs of brought resources that only work together. */
const BROUGHT_PAIRS = [
  ["successTopicArn", "errorTopicArn", "give both existing topics, or neither"],
  ["vpcSubnetIds", "vpcSecurityGroupIds", "give both the subnets and the security groups, or neither"],
] as const;

/**
 * The resources a program brings (an existing bucket, topics, VPC subnets and security groups): pairs complete,
 * lists not empty, and each plain string shaped like its kind of id. Values that are outputs of other resources
 * are known only at deploy time; AWS checks those.
 */
function checkBroughtResources(args: Partial<Record<keyof WhisperServiceArgs, unknown>>, names: SettingNames): void {
  const given = (key: keyof WhisperServiceArgs) => args[key] !== undefined && args[key] !== null && args[key] !== "";
  for (const [first, second, advice] of BROUGHT_PAIRS) {
    if (given(first) !== given(second)) {
      throw new ConfigError(`${names.name(first)} and ${names.name(second)} go together: ${advice}`);
    }
  }
  for (const [key, [pattern, shape]] of Object.entries(BROUGHT_SHAPES) as [
    keyof typeof BROUGHT_SHAPES,
    readonly [RegExp, string],
  ][]) {
    if (!given(key)) continue;
    const value = args[key];
    const values = key === "vpcSubnetIds" || key === "vpcSecurityGroupIds" ? value : [value];
    const wrong =
      !Array.isArray(values) ||
      values.length === 0 ||
      // An object is another resource's output (or a promise of one): known only when deploying.
      values.some((v) => (typeof v === "string" ? !pattern.test(v) : typeof v !== "object" || v === null));
    if (wrong) throw new ConfigError(`${names.name(key)} must be ${shape}, got ${JSON.stringify(value)}`);
  }
}

/**
 * Validates the service's args and fills in every default: the one validation both front doors share. Throws
 * {@link ConfigError} naming the setting (as `names` spells it) and what it accepts. `region` is the region the
 * service deploys to (undefined when unknown), for the default instance price (instance-price.ts).
 */
export function resolveServiceSettings(
  args: Partial<Record<keyof WhisperServiceArgs, unknown>>,
  names: SettingNames,
  region: string | undefined,
): StackConfig {
  checkBroughtResources(args, names);
  const check = new Checker(args, names);
  const maxInstances = check.integer("maxInstances", DEFAULTS.maxInstances, 1, 100);
  const minInstances = check.integer("minInstances", DEFAULTS.minInstances, 0, 100);
  if (minInstances > maxInstances) {
    throw new ConfigError(
      `${names.name("minInstances")} (${minInstances}) must not exceed ${names.name("maxInstances")} (${maxInstances})`,
    );
  }
  const modelLocalDir = check.text("modelLocalDir");
  const modelRevision = check.matching("modelRevision", REVISION, "a 40-hex commit id") ?? DEFAULTS.modelRevision;
  const modelRepo = check.matching("modelRepo", HF_REPO, "a Hugging Face repo id <owner>/<name>") ?? DEFAULTS.modelRepo;
  if (modelLocalDir !== undefined && (check.isSet("modelRepo") || check.isSet("modelRevision"))) {
    throw new ConfigError(
      `${names.name("modelLocalDir")} cannot be combined with ${names.name("modelRepo")}/modelRevision`,
    );
  }
  const kmsKeyArn = check.matching("kmsKeyArn", KMS_KEY_ARN, "a KMS key ARN arn:aws:kms:<region>:<account>:key/<id>");
  const alarmTopicArn = check.matching(
    "alarmTopicArn",
    SNS_TOPIC_ARN,
    "an SNS topic ARN arn:aws:sns:<region>:<account>:<name>",
  );
  const kmsKeyAllowsCloudWatch = check.boolean("kmsKeyAllowsCloudWatch", DEFAULTS.kmsKeyAllowsCloudWatch);
  check.checkAlarmRoute(kmsKeyArn, alarmTopicArn, kmsKeyAllowsCloudWatch);
  const type = check.instanceType();
  const startupHealthCheckTimeoutSeconds = check.integer(
    "startupHealthCheckTimeoutSeconds",
    DEFAULTS.startupHealthCheckTimeoutSeconds,
    60,
    3600,
  );
  const modelDownloadTimeoutSeconds = check.integer(
    "modelDownloadTimeoutSeconds",
    DEFAULTS.modelDownloadTimeoutSeconds,
    60,
    3600,
  );
  const updateTerminationWaitMinutes = check.integer(
    "updateTerminationWaitMinutes",
    DEFAULTS.updateTerminationWaitMinutes,
    0,
    60,
  );
  check.checkUpdateFitsWaiter(
    startupHealthCheckTimeoutSeconds,
    modelDownloadTimeoutSeconds,
    updateTerminationWaitMinutes,
  );
  const bounds = SERVER_SETTING_BOUNDS;
  return {
    instanceType: type,
    minInstances,
    maxInstances,
    idleMinutes: check.integer("idleMinutes", DEFAULTS.idleMinutes, 1, 1440),
    backlogTargetPerInstance: check.integer("backlogTargetPerInstance", DEFAULTS.backlogTargetPerInstance, 1, 1000),
    maxConcurrentInvocationsPerInstance: check.integer(
      "maxConcurrentInvocationsPerInstance",
      DEFAULTS.maxConcurrentInvocationsPerInstance,
      1,
      1000,
    ),
    modelRepo,
    modelRevision,
    modelLocalDir,
    // The server owns these settings and their defaults: unset stays unset (see server-environment.ts).
    computeType: check.oneOf("computeType", undefined, COMPUTE_TYPES),
    batchSize: check.integer("batchSize", undefined, bounds.batchSize.min, bounds.batchSize.max),
    beamSize: check.integer("beamSize", undefined, bounds.beamSize.min, bounds.beamSize.max),
    chunkSeconds: check.integer("chunkSeconds", undefined, bounds.chunkSeconds.min, bounds.chunkSeconds.max),
    minWindowSeconds: check.integer(
      "minWindowSeconds",
      undefined,
      bounds.minWindowSeconds.min,
      bounds.minWindowSeconds.max,
    ),
    retentionDays: check.integer("retentionDays", DEFAULTS.retentionDays, 1, 3650),
    kmsKeyArn,
    alarmTopicArn,
    kmsKeyAllowsCloudWatch,
    callers: check.callers(),
    inferenceAmiVersion: check.oneOf("inferenceAmiVersion", DEFAULTS.inferenceAmiVersion, CUDA12_AMI_VERSIONS),
    resultInNotifications: check.boolean("resultInNotifications", DEFAULTS.resultInNotifications),
    speakerLabels: check.oneOf("speakerLabels", DEFAULTS.speakerLabels, SPEAKER_LABELS),
    forceDestroy: check.boolean("forceDestroy", DEFAULTS.forceDestroy),
    imagesToKeep: check.integer("imagesToKeep", DEFAULTS.imagesToKeep, 1, 1000),
    startupHealthCheckTimeoutSeconds,
    modelDownloadTimeoutSeconds,
    updateTerminationWaitMinutes,
    oldestRequestAlarmMinutes: check.integer("oldestRequestAlarmMinutes", DEFAULTS.oldestRequestAlarmMinutes, 1, 1440),
    tags: check.tags(),
    instancePricePerHour: check.instancePricePerHour(type, region),
    logRetentionDays: check.logRetentionDays(),
    dropFolder: check.boolean("dropFolder", DEFAULTS.dropFolder),
    dropFolderFormats: check.dropFolderFormats(),
    dropFolderOptions: check.dropFolderOptions(),
    dropFolderRetentionDays: check.integer("dropFolderRetentionDays", undefined, 1, 3650),
  };
}

type ConfigKind = "string" | "number" | "boolean" | "json";

/** How the stack config writes each setting: config values are strings, lists and maps JSON strings. */
const STACK_CONFIG_KINDS: Readonly<Record<keyof StackConfig, ConfigKind>> = {
  instanceType: "string",
  minInstances: "number",
  maxInstances: "number",
  idleMinutes: "number",
  backlogTargetPerInstance: "number",
  maxConcurrentInvocationsPerInstance: "number",
  modelRepo: "string",
  modelRevision: "string",
  modelLocalDir: "string",
  computeType: "string",
  batchSize: "number",
  beamSize: "number",
  chunkSeconds: "number",
  minWindowSeconds: "number",
  retentionDays: "number",
  kmsKeyArn: "string",
  alarmTopicArn: "string",
  kmsKeyAllowsCloudWatch: "boolean",
  callers: "json",
  resultInNotifications: "boolean",
  speakerLabels: "string",
  inferenceAmiVersion: "string",
  forceDestroy: "boolean",
  imagesToKeep: "number",
  startupHealthCheckTimeoutSeconds: "number",
  modelDownloadTimeoutSeconds: "number",
  updateTerminationWaitMinutes: "number",
  oldestRequestAlarmMinutes: "number",
  tags: "json",
  instancePricePerHour: "number",
  logRetentionDays: "number",
  dropFolder: "boolean",
  dropFolderFormats: "json",
  dropFolderOptions: "string",
  dropFolderRetentionDays: "number",
};

/** One config string as the arg's type; a string that is not one is passed on as it is, for the check to quote. */
function fromConfigString(raw: string, kind: ConfigKind): unknown {
  if (kind === "number") return raw.trim() !== "" && Number.isFinite(Number(raw)) ? Number(raw) : raw;
  if (kind === "boolean") return raw === "true" ? true : raw === "false" ? false : raw;
  if (kind === "json") {
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      return raw;
    }
  }
  return raw;
}

/**
 * The `whisper-async:*` keys of this repository's stack as the component's args: the same names, their strings
 * read as numbers, booleans or JSON. Nothing is checked or defaulted here; {@link resolveServiceSettings} does both.
 */
export function stackConfigArgs(get: ConfigGetter): Partial<Record<keyof StackConfig, unknown>> {
  const args: Partial<Record<keyof StackConfig, unknown>> = {};
  for (const [key, kind] of Object.entries(STACK_CONFIG_KINDS) as [keyof StackConfig, ConfigKind][]) {
    const raw = get(key);
    if (raw !== undefined && raw !== "") args[key] = fromConfigString(raw, kind);
  }
  return args;
}

/**
 * Loads and validates the stack config of a stack deploying to `region` (its `aws:region`; undefined when unknown);
 * throws {@link ConfigError} naming the key and the allowed values.
 */
export function loadStackConfig(get: ConfigGetter, region: string | undefined): StackConfig {
  return resolveServiceSettings(stackConfigArgs(get), STACK_CONFIG_NAMES, region);
}
