/**
 * What a stack will cost before it runs, from its own settings (`npm run cost -- --estimate`): the first deploy
 * (the GPU instance the endpoint starts at once, billed until the idle policy scales it in) and an idle month (no
 * requests: storage, alarms, the dashboard, and `minInstances` instances around the clock). Only the instance price
 * comes from the stack (`instancePricePerHour`); the other list prices are below, with their source and date, and
 * are us-east-1 figures. A deployed stack measures what it really cost with `npm run cost`.
 */
import { DEFAULTS, type StackConfig } from "../../components/config";

/**
 * us-east-1 list prices in USD, read 2026-12-06 from public price tables that quote AWS's pricing pages (the AWS
 * pages render by script and could not be read directly): S3 Standard storage, first 50 TB
 * (https://aws.amazon.com/s3/pricing/); ECR private repository storage (https://aws.amazon.com/ecr/pricing/);
 * CloudWatch standard-resolution alarm per metric it evaluates, and a dashboard beyond the account's first three
 * free ones (https://aws.amazon.com/cloudwatch/pricing/).
 */
/** The region of {@link LIST_PRICES}. */
export const LIST_PRICES_REGION = "us-east-1";

export const LIST_PRICES = {
  s3StandardPerGbMonth: 0.023,
  ecrStoragePerGbMonth: 0.1,
  alarmMetricPerMonth: 0.1,
  dashboardPerMonth: 3,
} as const;

/** Hours in an average month (365 × 24 / 12), as AWS's own calculator counts them. */
export const HOURS_PER_MONTH = 730;

/**
 * Bytes of the default model revision's files (Systran/faster-whisper-large-v3 at DEFAULTS.modelRevision), the
 * ~3.09 GB upload of docs/deploying.md, nearly all of it model.bin.
 */
export const DEFAULT_MODEL_BYTES = 3_090_000_000;
/** The two speaker-diarization models package-model uploads with `speakerLabels` on (docs/speakers.md): 34 MB. */
export const DIARIZATION_MODEL_BYTES = 34_000_000;
/**
 * Compressed size of the image in ECR, "~3 GB of layers" (docs/deploying.md): CUDA 12.4 runtime + cuDNN 9 and the
 * pip layer. Images kept by the lifecycle policy share the base layers, so one image is counted; pass
 * `--image-gb` with the size ECR shows for yours.
 */
export const DEFAULT_IMAGE_GB = 3;
/**
 * Minutes from the endpoint's creation until its first instance serves (launch, image pull, model copy and load):
 * the cold-start budget of docs/scaling.md, an estimate; billed like any other instance minute.
 */
export const DEFAULT_STARTUP_MINUTES = 8;

/**
 * CloudWatch alarm metrics the program creates: the four of the failure alarm's sum, the oldest-request alarm, the
 * from-zero alarm, the step-in and idle alarms (backlog and instance count each), the drop folder's dead-letter alarm
 * (when the drop folder is on), and the two that Application Auto Scaling creates for the target-tracking policy.
 * tests/cost/estimate.test.ts counts the program's own alarms against this.
 */
export const ALARM_METRICS = { program: 10, dropFolder: 1, targetTracking: 2 } as const;

/**
 * Uplink speeds the estimate gives the first `up`'s upload time for when none is passed (`--uplink-mbps`): a slow
 * home or office line and a fast one, in Mbit/s.
 */
export const EXAMPLE_UPLINK_MBPS = [10, 100] as const;

export interface EstimateInputs {
  readonly config: StackConfig;
  /** The stack's region (`aws:region`), named in the estimate; undefined when the stack does not say. */
  readonly region: string | undefined;
  /** GB of the model prefix; default: the default revision's size (required for any other model). */
  readonly modelGb?: number;
  readonly imageGb?: number;
  readonly startupMinutes?: number;
  /** The operator's uplink in Mbit/s, for the time of the first `up`'s uploads. Default: {@link EXAMPLE_UPLINK_MBPS}. */
  readonly uplinkMbps?: number;
}

/** What the first `up` sends from the machine that runs it, and how long that takes at an uplink speed. */
export interface FirstUpload {
  /** The image push and the model upload, in GB. */
  readonly gb: number;
  readonly minutesAt: readonly { readonly mbps: number; readonly minutes: number }[];
}

export interface CostLine {
  readonly item: string;
  readonly dollars: number;
  /** How the figure is made, e.g. `18 min × $0.7364/h`. */
  readonly basis: string;
}

export interface CostEstimate {
  /** The region the instance price is for (the stack's `aws:region`); the other list prices are us-east-1's. */
  readonly region: string | undefined;
  readonly instanceType: string;
  readonly pricePerHour: number;
  readonly firstDeploy: readonly CostLine[];
  readonly idleMonth: readonly CostLine[];
  readonly firstDeployTotal: number;
  readonly idleMonthTotal: number;
  readonly firstUpload: FirstUpload;
}

const usd = (value: number) => `$${value.toFixed(4).replace(/0{1,2}$/, "")}`;

/** The estimate for `inputs.config`; throws when the model's size is unknown (another repository or a local dir). */
export function estimateCost(inputs: EstimateInputs): CostEstimate {
  const { config } = inputs;
  const price = config.instancePricePerHour;
  const defaultModel =
    config.modelLocalDir === undefined &&
    config.modelRepo === DEFAULTS.modelRepo &&
    config.modelRevision === DEFAULTS.modelRevision;
  const modelGb = inputs.modelGb ?? (defaultModel ? DEFAULT_MODEL_BYTES / 1e9 : undefined);
  if (modelGb === undefined) {
    throw new Error(
      `the size of ${config.modelLocalDir ?? `${config.modelRepo}@${config.modelRevision}`} is not known: pass --model-gb`,
    );
  }
  const storedGb = modelGb + (config.speakerLabels === "off" ? 0 : DIARIZATION_MODEL_BYTES / 1e9);
  const imageGb = inputs.imageGb ?? DEFAULT_IMAGE_GB;
  const startup = inputs.startupMinutes ?? DEFAULT_STARTUP_MINUTES;

  // The endpoint starts its first instance at once (SageMaker's initial count is at least 1); with minInstances 0
  // it runs until idleMinutes of empty backlog, else it stays and is counted in the month below.
  const firstInstanceMinutes = config.minInstances === 0 ? startup + config.idleMinutes : startup;
  const firstDeploy: CostLine[] = [
    {
      item: `first ${config.instanceType} instance`,
      dollars: (firstInstanceMinutes / 60) * price,
      basis:
        config.minInstances === 0
          ? `${startup} min to start + idleMinutes ${config.idleMinutes} min, × ${usd(price)}/h`
          : `${startup} min to start, × ${usd(price)}/h (then minInstances run on, below)`,
    },
    { item: "uploads (image push, model to S3)", dollars: 0, basis: "data transfer into AWS is free" },
  ];
  const alarmMetrics =
    ALARM_METRICS.program + (config.dropFolder ? ALARM_METRICS.dropFolder : 0) + ALARM_METRICS.targetTracking;
  const idleMonth: CostLine[] = [
    {
      item: `${config.minInstances} always-on instance(s) (minInstances)`,
      dollars: config.minInstances * HOURS_PER_MONTH * price,
      basis: `${config.minInstances} × ${HOURS_PER_MONTH} h × ${usd(price)}/h`,
    },
    {
      item: "S3: the model prefix",
      dollars: storedGb * LIST_PRICES.s3StandardPerGbMonth,
      basis: `${storedGb.toFixed(2)} GB × ${usd(LIST_PRICES.s3StandardPerGbMonth)}/GB-month; request data expires`,
    },
    {
      item: "ECR: the image",
      dollars: imageGb * LIST_PRICES.ecrStoragePerGbMonth,
      basis: `${imageGb} GB × ${usd(LIST_PRICES.ecrStoragePerGbMonth)}/GB-month`,
    },
    {
      item: "CloudWatch alarms",
      dollars: alarmMetrics * LIST_PRICES.alarmMetricPerMonth,
      basis: `${alarmMetrics} alarm metrics × ${usd(LIST_PRICES.alarmMetricPerMonth)}`,
    },
    {
      item: "CloudWatch dashboard",
      dollars: LIST_PRICES.dashboardPerMonth,
      basis: `${usd(LIST_PRICES.dashboardPerMonth)}; free if the account has at most 3 dashboards`,
    },
    {
      item: "logs and cost metrics",
      dollars: 0,
      basis: "an idle endpoint writes no log lines, so no ingestion and no metric data points",
    },
    ...(config.dropFolder
      ? [
          {
            item: "drop folder",
            dollars: 0,
            basis: "its functions, queue and S3 events bill per use: nothing while no recording is dropped",
          },
        ]
      : []),
  ];
  const total = (lines: readonly CostLine[]) => lines.reduce((sum, line) => sum + line.dollars, 0);
  // Both the image push and the model upload leave from the machine that runs `pulumi up` (the model streams from
  // the Hugging Face Hub through it to S3), so its uplink bounds the first `up`.
  const uploadGb = imageGb + storedGb;
  const speeds = inputs.uplinkMbps === undefined ? [...EXAMPLE_UPLINK_MBPS] : [inputs.uplinkMbps];
  const firstUpload = {
    gb: uploadGb,
    minutesAt: speeds.map((mbps) => ({ mbps, minutes: (uploadGb * 8000) / mbps / 60 })),
  };
  return {
    region: inputs.region,
    instanceType: config.instanceType,
    pricePerHour: price,
    firstDeploy,
    idleMonth,
    firstDeployTotal: total(firstDeploy),
    idleMonthTotal: total(idleMonth),
    firstUpload,
  };
}

/** The estimate as text: one line per item with its basis, and each total. */
export function formatEstimate(estimate: CostEstimate): string {
  const dollars = (value: number) => `$${value.toFixed(2)}`.padStart(9);
  const section = (title: string, lines: readonly CostLine[], total: number) => [
    title,
    ...lines.map((line) => `${dollars(line.dollars)}  ${line.item} (${line.basis})`),
    `${dollars(total)}  total`,
  ];
  const { gb, minutesAt } = estimate.firstUpload;
  const times = minutesAt.map(({ mbps, minutes }) => `${Math.round(minutes)} min at ${mbps} Mbit/s`).join(", ");
  return [
    ...section("First deploy (one time):", estimate.firstDeploy, estimate.firstDeployTotal),
    `    Uploads from this machine: ${gb.toFixed(2)} GB (image push and model), ${times}` +
      (minutesAt.length > 1 ? " (--uplink-mbps N for yours)" : "") +
      "; docs/deploying.md, 'A slow uplink'.",
    "",
    ...section("An idle month (no requests):", estimate.idleMonth, estimate.idleMonthTotal),
    "",
    `Priced for ${estimate.region ?? "an unnamed region (no aws:region)"}: ${estimate.instanceType} at ` +
      `${usd(estimate.pricePerHour)}/h, the stack's instance price; storage, alarms and the dashboard at ` +
      `${LIST_PRICES_REGION} list prices (scripts/cost/estimate.ts)` +
      (estimate.region === LIST_PRICES_REGION ? "." : `, which ${estimate.region ?? "other regions"} may exceed.`),
    "Each busy instance-hour adds its price; an estimate: `npm run cost` reports what a deployed stack really cost.",
  ].join("\n");
}
