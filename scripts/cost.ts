/**
 * What the endpoint really cost: per UTC day, requests, audio hours, instance hours, dollars, dollars per audio
 * hour, speed, queue wait, cold starts, and the same audio at Amazon Transcribe's rate, from CloudWatch metrics.
 * Exit codes: 0 report printed, 1 AWS refused a call, 2 usage error.
 */
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { numberOption, stringOption, type ParsedCli } from "./cli-kit/args";
import { ExitCode, UsageError } from "./cli-kit/errors";
import { runCommand } from "./cli-kit/run";
import { flagOrStackOutput, readStackOutputs, type StackOutputs } from "./client/stack-outputs";
import { DEFAULT_SINCE, MAX_DAYS, parseSince } from "./cost/days";
import { readDailyMetrics } from "./cost/metrics";
import { costReport, formatTable } from "./cost/report";

const spec = {
  usage: [
    "Usage: npm run cost -- [--stack NAME] [--since 7d] [--json]",
    "",
    "Reads the endpoint's metrics from CloudWatch and prints one line per UTC day (today included) and a total:",
    "requests, audio hours, instance hours, $, $ per audio hour, x realtime, mean queue wait, cold starts, and",
    "the same audio at Amazon Transcribe's rate. n/a means nothing was measured that day (not $0).",
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
  },
} as const;

async function main(parsed: ParsedCli): Promise<number> {
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
