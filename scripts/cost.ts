/**
 * What the endpoint really cost: per UTC day, requests, audio hours, instance hours, dollars, dollars per audio
 * hour, speed, queue wait, cold starts, and the same audio at Amazon Transcribe's rate, from CloudWatch metrics.
 * With --estimate, before any deploy: what the first deploy and an idle month will cost, from the stack's settings.
 * Exit codes: 0 report printed, 1 AWS refused a call, 2 usage error.
 */
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { numberOption, stringOption, type ParsedCli } from "./cli-kit/args";
import { ExitCode, UsageError } from "../clients/typescript/src/errors";
import { runCommand } from "./cli-kit/run";
import { flagOrStackOutput, readStackOutputs, type StackOutputs } from "./client/stack-outputs";
import { DEFAULT_SINCE, MAX_DAYS, parseSince } from "./cost/days";
import { readDailyMetrics } from "./cost/metrics";
import { estimateCost, formatEstimate } from "./cost/estimate";
import { costReport, formatTable } from "./cost/report";
import { readStackConfig } from "./cost/stack-config";

const spec = {
  usage: [
    "Usage: npm run cost -- [--stack NAME] [--since 7d] [--json]",
    "       npm run cost -- --estimate [--stack NAME] [--json] [--model-gb N] [--image-gb N] [--startup-minutes N]",
    "",
    "Reads the endpoint's metrics from CloudWatch and prints one line per UTC day (today included) and a total:",
    "requests, audio hours, instance hours, $, $ per audio hour, x realtime, mean queue wait, cold starts, and",
    "the same audio at Amazon Transcribe's rate. n/a means nothing was measured that day (not $0).",
    "With --estimate (no AWS call; the stack's settings through `pulumi config`): what the first deploy and an",
    "idle month will cost at the stack's instance price and us-east-1 list prices.",
    "Exit codes: 0 report printed, 1 an AWS call failed, 2 usage error.",
  ].join("\n"),
  options: {
    stack: { type: "string", value: "NAME", help: "Pulumi stack to read outputs from. Default: the selected stack." },
    since: {
      type: "string",
      value: "Nd",
      help: `Days to report, ending today, 1d to ${MAX_DAYS}d. Default: ${DEFAULT_SINCE}.`,
    },
    json: { type: "boolean", help: "Print the report as JSON (null where nothing was measured)." },
    endpoint: { type: "string", value: "NAME", help: "SageMaker endpoint name. Default: stack output endpointName." },
    variant: { type: "string", value: "NAME", help: "Production variant. Default: stack output variantName." },
    "price-per-hour": {
      type: "string",
      value: "USD",
      help: "Dollars per instance-hour. Default: stack output instancePricePerHour.",
    },
    estimate: { type: "boolean", help: "Estimate the first deploy and an idle month from the stack's settings." },
    "model-gb": { type: "string", value: "N", help: "With --estimate: GB of the model. Default: the default model's." },
    "image-gb": { type: "string", value: "N", help: "With --estimate: GB of the image in ECR. Default: 3." },
    "startup-minutes": {
      type: "string",
      value: "N",
      help: "With --estimate: minutes until a new instance serves. Default: 8.",
    },
  },
} as const;

async function estimate(parsed: ParsedCli): Promise<number> {
  for (const flag of ["since", "endpoint", "variant", "price-per-hour"]) {
    if (parsed.values[flag] !== undefined)
      throw new UsageError(`--${flag} reads a deployed stack: not with --estimate`);
  }
  const positive = (name: string) => {
    const value = numberOption(parsed.values, name, { min: 0, integer: false });
    if (value === 0) throw new UsageError(`--${name} must be above 0`);
    return value;
  };
  const sizes = {
    modelGb: positive("model-gb"),
    imageGb: positive("image-gb"),
    startupMinutes: positive("startup-minutes"),
  };
  const config = await readStackConfig(stringOption(parsed.values, "stack"));
  let result;
  try {
    result = estimateCost({ config, ...sizes });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  console.log(parsed.values.json ? JSON.stringify(result, null, 2) : formatEstimate(result));
  return ExitCode.Ok;
}

async function main(parsed: ParsedCli): Promise<number> {
  if (parsed.values.estimate) return estimate(parsed);
  for (const flag of ["model-gb", "image-gb", "startup-minutes"]) {
    if (parsed.values[flag] !== undefined) throw new UsageError(`--${flag} goes with --estimate`);
  }
  const window = parseSince(stringOption(parsed.values, "since") ?? DEFAULT_SINCE);
  const stack = stringOption(parsed.values, "stack");
  const endpoint = stringOption(parsed.values, "endpoint");
  const variant = stringOption(parsed.values, "variant");
  const price = numberOption(parsed.values, "price-per-hour", { min: 0, integer: false });
  if (price === 0) throw new UsageError("--price-per-hour must be above 0 (a free instance needs no report)");
  // The stack is only consulted when --stack is given or a value is missing: with all three flags no Pulumi CLI.
  const needStack = stack !== undefined || endpoint === undefined || variant === undefined || price === undefined;
  const outputs: StackOutputs = needStack
    ? await readStackOutputs(stack, "or pass --endpoint, --variant and --price-per-hour instead")
    : {};
  const endpointName = flagOrStackOutput(endpoint, outputs, "endpoint", "endpointName");
  const variantName = flagOrStackOutput(variant, outputs, "variant", "variantName");
  const pricePerHour = price ?? outputs.instancePricePerHour;
  if (typeof pricePerHour !== "number") {
    throw new UsageError("no price: pass --price-per-hour or deploy a stack with an instancePricePerHour output");
  }

  const byDay = await readDailyMetrics(new CloudWatchClient({}), { endpointName, variantName }, window);
  const report = costReport(window.days, byDay, pricePerHour);
  if (parsed.values.json) {
    console.log(JSON.stringify({ endpointName, variantName, ...report }, null, 2));
  } else {
    console.log(`${endpointName} (variant ${variantName}) at $${pricePerHour} per instance-hour`);
    console.log(formatTable(report));
    console.log("n/a: not measured that day (no instance ran, or its metrics are missing); never counted as $0.");
  }
  return ExitCode.Ok;
}

runCommand(spec, main);
