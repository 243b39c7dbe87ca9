/**
 * Typed, validated stack configuration. Every default lives in {@link DEFAULTS}; every check lives in
 * {@link loadStackConfig}, a pure function over a key getter so tests can table-test each error.
 */
import serverContract from "../contract/server-contract.json";
import type { Format } from "../functions/drop-folder/layout";
import { OptionsError, parseOptionPairs } from "../functions/drop-folder/options";
import { parseFormats } from "../functions/drop-folder/settings";

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
  /** WHISPER_CHUNK_SECONDS, the longest stretch of speech decoded in one window; unset: the server's default (15). */
  readonly chunkSeconds?: number;
  /** WHISPER_MIN_WINDOW_SECONDS, the smallest encoder window; unset: the server's default (15). */
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
   * US dollars per instance-hour, for the cost figures (dashboard, `npm run cost`). Defaults to the us-east-1
   * on-demand price of `instanceType` from {@link ON_DEMAND_PRICE_PER_HOUR_US_EAST_1}; required for other types.
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

/**
 * On-demand SageMaker real-time/async inference prices, US East (N. Virginia), USD per instance-hour: the
 * default of `instancePricePerHour`. Source: the "Real-Time Inference" on-demand table of
 * https://aws.amazon.com/sagemaker/ai/pricing/, as quoted alike by several independent public price tables read
 * on 2026-11-25 (the AWS page itself renders its table by script and could not be read directly). Only types
 * whose figure every source agreed on are listed; for any other type (g6, g6e, p4d, p5 and other sizes) the
 * sources disagreed or were EC2 prices, so `instancePricePerHour` must be set rather than guessed. Other regions,
 * discounts and Savings Plans: set `instancePricePerHour` too.
 */
export const ON_DEMAND_PRICE_PER_HOUR_US_EAST_1: Readonly<Record<string, number>> = {
  "ml.g4dn.xlarge": 0.7364,
  "ml.g5.xlarge": 1.408,
  "ml.p3.2xlarge": 3.825,
};

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

export class ConfigError extends Error {}

const INSTANCE_TYPE = /^ml\.([a-z0-9]+)\.([a-z0-9]+)$/;
const REVISION = /^[0-9a-f]{40}$/;
const HF_REPO = /^[A-Za-z0-9][\w.-]*\/[\w.-]+$/;
const KMS_KEY_ARN = /^arn:aws[\w-]*:kms:[a-z0-9-]+:\d{12}:key\/[\w-]+$/;
const SNS_TOPIC_ARN = /^arn:aws[\w-]*:sns:[a-z0-9-]+:\d{12}:[\w-]+$/;
/** A caller name: a key prefix segment and part of an IAM policy name, so lowercase letters, digits and '-'. */
const CALLER = /^[a-z0-9][a-z0-9-]{0,31}$/;

function integer(get: ConfigGetter, key: string, fallback: number, min: number, max: number): number;
function integer(get: ConfigGetter, key: string, fallback: undefined, min: number, max: number): number | undefined;
function integer(get: ConfigGetter, key: string, fallback: number | undefined, min: number, max: number) {
  const raw = get(key);
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`whisper-async:${key} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function oneOf<T extends string>(get: ConfigGetter, key: string, fallback: T, allowed: readonly T[]): T;
function oneOf<T extends string>(
  get: ConfigGetter,
  key: string,
  fallback: undefined,
  allowed: readonly T[],
): T | undefined;
function oneOf<T extends string>(get: ConfigGetter, key: string, fallback: T | undefined, allowed: readonly T[]) {
  const raw = get(key);
  if (raw === undefined || raw === "") return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(`whisper-async:${key} must be one of ${allowed.join(", ")}, got "${raw}"`);
  }
  return raw as T;
}

function matching(get: ConfigGetter, key: string, pattern: RegExp, shape: string): string | undefined {
  const raw = get(key);
  if (raw === undefined || raw === "") return undefined;
  if (!pattern.test(raw)) throw new ConfigError(`whisper-async:${key} must be ${shape}, got "${raw}"`);
  return raw;
}

function boolean(get: ConfigGetter, key: string, fallback: boolean): boolean {
  const raw = get(key);
  if (raw === undefined || raw === "") return fallback;
  if (raw !== "true" && raw !== "false")
    throw new ConfigError(`whisper-async:${key} must be true or false, got "${raw}"`);
  return raw === "true";
}

function instanceType(get: ConfigGetter): string {
  const raw = get("instanceType") ?? DEFAULTS.instanceType;
  const family = INSTANCE_TYPE.exec(raw)?.[1];
  if (family === undefined) {
    throw new ConfigError(
      `whisper-async:instanceType must look like ml.<family>.<size> (e.g. ml.g5.xlarge), got "${raw}"`,
    );
  }
  if (!(GPU_FAMILIES as readonly string[]).includes(family)) {
    throw new ConfigError(
      `whisper-async:instanceType must be a GPU instance of family ${GPU_FAMILIES.join(", ")}; "${raw}" is not`,
    );
  }
  return raw;
}

function instancePricePerHour(get: ConfigGetter, type: string): number {
  const raw = get("instancePricePerHour");
  if (raw === undefined || raw === "") {
    const known = ON_DEMAND_PRICE_PER_HOUR_US_EAST_1[type];
    if (known === undefined) {
      throw new ConfigError(
        `whisper-async:instancePricePerHour must be set for ${type}: no default price is known for it ` +
          `(defaults exist for ${Object.keys(ON_DEMAND_PRICE_PER_HOUR_US_EAST_1).join(", ")} in us-east-1)`,
      );
    }
    return known;
  }
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || value > 1000) {
    throw new ConfigError(
      `whisper-async:instancePricePerHour must be a number of dollars above 0 and at most 1000, got "${raw}"`,
    );
  }
  return value;
}

function logRetentionDays(get: ConfigGetter): number {
  const raw = get("logRetentionDays");
  if (raw === undefined || raw === "") return DEFAULTS.logRetentionDays;
  const value = Number(raw);
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(value)) {
    throw new ConfigError(
      `whisper-async:logRetentionDays must be one of ${LOG_RETENTION_DAYS.join(", ")}, got "${raw}"`,
    );
  }
  return value;
}

function tags(get: ConfigGetter): Record<string, string> {
  const raw = get("tags");
  if (raw === undefined || raw === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigError(`whisper-async:tags must be a JSON object of string values, got "${raw}"`);
  }
  const isStringMap =
    typeof parsed === "object" &&
    parsed !== null &&
    !Array.isArray(parsed) &&
    Object.values(parsed).every((v) => typeof v === "string");
  if (!isStringMap) throw new ConfigError(`whisper-async:tags must be a JSON object of string values, got "${raw}"`);
  return parsed as Record<string, string>;
}

function callers(get: ConfigGetter): string[] {
  const raw = get("callers");
  if (raw === undefined || raw === "") return [];
  const shape = `a JSON list of distinct names matching ${CALLER.source}`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigError(`whisper-async:callers must be ${shape}, got "${raw}"`);
  }
  const valid =
    Array.isArray(parsed) &&
    parsed.every((name) => typeof name === "string" && CALLER.test(name)) &&
    new Set(parsed).size === parsed.length;
  if (!valid) throw new ConfigError(`whisper-async:callers must be ${shape}, got "${raw}"`);
  return parsed as string[];
}

/**
 * CloudWatch publishes an alarm to a KMS-encrypted topic only if the key policy lets cloudwatch.amazonaws.com use
 * the key; otherwise the notification is dropped without any error. We do not own the key, so we cannot add that
 * grant: the user routes alarms elsewhere or confirms the key policy (docs/deploying.md, "KMS").
 */
function checkAlarmRoute(kmsKeyArn: string | undefined, alarmTopicArn: string | undefined, allows: boolean): void {
  if (kmsKeyArn !== undefined && alarmTopicArn === undefined && !allows) {
    throw new ConfigError(
      "whisper-async:kmsKeyArn encrypts the error topic that receives the alarms, and CloudWatch can publish there only " +
        "if the key policy allows cloudwatch.amazonaws.com kms:Decrypt and kms:GenerateDataKey*: add that statement " +
        "and set whisper-async:kmsKeyAllowsCloudWatch to true, or set whisper-async:alarmTopicArn to another topic",
    );
  }
}

/**
 * A blue/green update runs, within the provider's one waiter: launching the new instance, the model download, the
 * container's startup until its first /ping, then the termination wait while the old fleet drains. If they can add up
 * to more than the waiter, an update the endpoint would finish fails the `up` halfway.
 */
function checkUpdateFitsWaiter(startup: number, download: number, terminationWaitMinutes: number): void {
  const total = INSTANCE_LAUNCH_ALLOWANCE_SECONDS + download + startup + terminationWaitMinutes * 60;
  if (total > PROVIDER_ENDPOINT_WAITER_SECONDS) {
    throw new ConfigError(
      `whisper-async:modelDownloadTimeoutSeconds (${download}) + whisper-async:startupHealthCheckTimeoutSeconds ` +
        `(${startup}) + whisper-async:updateTerminationWaitMinutes (${terminationWaitMinutes} min = ` +
        `${terminationWaitMinutes * 60} s) + ${INSTANCE_LAUNCH_ALLOWANCE_SECONDS} s to launch the instance is ${total} s, ` +
        `more than the provider's fixed ${PROVIDER_ENDPOINT_WAITER_SECONDS} s endpoint waiter: lower one of them`,
    );
  }
}

function dropFolderFormats(get: ConfigGetter): Format[] {
  const raw = get("dropFolderFormats");
  if (raw === undefined || raw === "") return [...DEFAULTS.dropFolderFormats];
  try {
    return parseFormats(raw, "whisper-async:dropFolderFormats");
  } catch (e) {
    throw new ConfigError((e as Error).message);
  }
}

/** The stack's options for dropped recordings: known option names, each once (the server checks the values). */
function dropFolderOptions(get: ConfigGetter): string {
  const raw = get("dropFolderOptions") ?? DEFAULTS.dropFolderOptions;
  try {
    parseOptionPairs(raw, "whisper-async:dropFolderOptions");
  } catch (e) {
    if (e instanceof OptionsError) throw new ConfigError(e.message);
    throw e;
  }
  return raw;
}

/** Loads and validates the stack config; throws {@link ConfigError} naming the key and the allowed values. */
export function loadStackConfig(get: ConfigGetter): StackConfig {
  const maxInstances = integer(get, "maxInstances", DEFAULTS.maxInstances, 1, 100);
  const minInstances = integer(get, "minInstances", DEFAULTS.minInstances, 0, 100);
  if (minInstances > maxInstances) {
    throw new ConfigError(
      `whisper-async:minInstances (${minInstances}) must not exceed whisper-async:maxInstances (${maxInstances})`,
    );
  }
  const modelLocalDir = get("modelLocalDir") || undefined;
  const modelRevision = matching(get, "modelRevision", REVISION, "a 40-hex commit id") ?? DEFAULTS.modelRevision;
  const modelRepo = matching(get, "modelRepo", HF_REPO, "a Hugging Face repo id <owner>/<name>") ?? DEFAULTS.modelRepo;
  if (modelLocalDir !== undefined && (get("modelRepo") || get("modelRevision"))) {
    throw new ConfigError("whisper-async:modelLocalDir cannot be combined with whisper-async:modelRepo/modelRevision");
  }
  const kmsKeyArn = matching(get, "kmsKeyArn", KMS_KEY_ARN, "a KMS key ARN arn:aws:kms:<region>:<account>:key/<id>");
  const alarmTopicArn = matching(
    get,
    "alarmTopicArn",
    SNS_TOPIC_ARN,
    "an SNS topic ARN arn:aws:sns:<region>:<account>:<name>",
  );
  const kmsKeyAllowsCloudWatch = boolean(get, "kmsKeyAllowsCloudWatch", DEFAULTS.kmsKeyAllowsCloudWatch);
  checkAlarmRoute(kmsKeyArn, alarmTopicArn, kmsKeyAllowsCloudWatch);
  const type = instanceType(get);
  const startupHealthCheckTimeoutSeconds = integer(
    get,
    "startupHealthCheckTimeoutSeconds",
    DEFAULTS.startupHealthCheckTimeoutSeconds,
    60,
    3600,
  );
  const modelDownloadTimeoutSeconds = integer(
    get,
    "modelDownloadTimeoutSeconds",
    DEFAULTS.modelDownloadTimeoutSeconds,
    60,
    3600,
  );
  const updateTerminationWaitMinutes = integer(
    get,
    "updateTerminationWaitMinutes",
    DEFAULTS.updateTerminationWaitMinutes,
    0,
    60,
  );
  checkUpdateFitsWaiter(startupHealthCheckTimeoutSeconds, modelDownloadTimeoutSeconds, updateTerminationWaitMinutes);
  return {
    instanceType: type,
    minInstances,
    maxInstances,
    idleMinutes: integer(get, "idleMinutes", DEFAULTS.idleMinutes, 1, 1440),
    backlogTargetPerInstance: integer(get, "backlogTargetPerInstance", DEFAULTS.backlogTargetPerInstance, 1, 1000),
    maxConcurrentInvocationsPerInstance: integer(
      get,
      "maxConcurrentInvocationsPerInstance",
      DEFAULTS.maxConcurrentInvocationsPerInstance,
      1,
      1000,
    ),
    modelRepo,
    modelRevision,
    modelLocalDir,
    // The server owns these settings and their defaults: unset stays unset (see server-environment.ts).
    computeType: oneOf(get, "computeType", undefined, COMPUTE_TYPES),
    batchSize: integer(
      get,
      "batchSize",
      undefined,
      SERVER_SETTING_BOUNDS.batchSize.min,
      SERVER_SETTING_BOUNDS.batchSize.max,
    ),
    beamSize: integer(
      get,
      "beamSize",
      undefined,
      SERVER_SETTING_BOUNDS.beamSize.min,
      SERVER_SETTING_BOUNDS.beamSize.max,
    ),
    chunkSeconds: integer(
      get,
      "chunkSeconds",
      undefined,
      SERVER_SETTING_BOUNDS.chunkSeconds.min,
      SERVER_SETTING_BOUNDS.chunkSeconds.max,
    ),
    minWindowSeconds: integer(
      get,
      "minWindowSeconds",
      undefined,
      SERVER_SETTING_BOUNDS.minWindowSeconds.min,
      SERVER_SETTING_BOUNDS.minWindowSeconds.max,
    ),
    retentionDays: integer(get, "retentionDays", DEFAULTS.retentionDays, 1, 3650),
    kmsKeyArn,
    alarmTopicArn,
    kmsKeyAllowsCloudWatch,
    callers: callers(get),
    inferenceAmiVersion: oneOf(get, "inferenceAmiVersion", DEFAULTS.inferenceAmiVersion, CUDA12_AMI_VERSIONS),
    resultInNotifications: boolean(get, "resultInNotifications", DEFAULTS.resultInNotifications),
    speakerLabels: oneOf(get, "speakerLabels", DEFAULTS.speakerLabels, SPEAKER_LABELS),
    forceDestroy: boolean(get, "forceDestroy", DEFAULTS.forceDestroy),
    imagesToKeep: integer(get, "imagesToKeep", DEFAULTS.imagesToKeep, 1, 1000),
    startupHealthCheckTimeoutSeconds,
    modelDownloadTimeoutSeconds,
    updateTerminationWaitMinutes,
    oldestRequestAlarmMinutes: integer(get, "oldestRequestAlarmMinutes", DEFAULTS.oldestRequestAlarmMinutes, 1, 1440),
    tags: tags(get),
    instancePricePerHour: instancePricePerHour(get, type),
    logRetentionDays: logRetentionDays(get),
    dropFolder: boolean(get, "dropFolder", DEFAULTS.dropFolder),
    dropFolderFormats: dropFolderFormats(get),
    dropFolderOptions: dropFolderOptions(get),
    dropFolderRetentionDays: integer(get, "dropFolderRetentionDays", undefined, 1, 3650),
  };
}
