/**
 * `npm run prune -- --keep N [--service NAME] [--delete]`: lists the Models and EndpointConfigurations the stack
 * kept on earlier updates (docs/updates.md, "Pruning kept Models and EndpointConfigurations"), keeping the newest N
 * of each and everything an endpoint of the account runs; deletes the rest only with --delete.
 */
import { SageMakerClient } from "@aws-sdk/client-sagemaker";
import { ExitCode, UsageError } from "../clients/typescript/src/errors";
import { booleanOption, numberOption, stringOption, type ParsedCli } from "./cli-kit/args";
import { runCommand } from "./cli-kit/run";
import { applyPrune, planPrune } from "./prune/plan";

const spec = {
  usage: [
    "Usage: npm run prune -- --keep N [--service NAME] [--delete]",
    "",
    "Lists the SageMaker Models and EndpointConfigurations `pulumi up` kept on earlier updates (<service>-endpoint-",
    "model-* and <service>-endpoint-config-*), keeps the newest N of each and whatever an endpoint of the account runs",
    "or is being updated to, with the models those configurations name; prints the rest. With --delete, deletes them.",
    "Exit codes: 0 done, 1 an AWS call failed, 2 usage error.",
  ].join("\n"),
  options: {
    keep: { type: "string", value: "N", help: "Newest of each kind to keep besides those in service (at least 1)." },
    service: {
      type: "string",
      value: "NAME",
      help: "The WhisperService's name in the program. Default: whisper (this repository's stacks).",
    },
    delete: { type: "boolean", help: "Delete what the plan lists. Default: only print it." },
  },
} as const;

async function main(parsed: ParsedCli): Promise<number> {
  const keep = numberOption(parsed.values, "keep", { min: 1, integer: true });
  if (keep === undefined) throw new UsageError("--keep N is required (N >= 1)");
  const service = stringOption(parsed.values, "service") ?? "whisper";
  const client = new SageMakerClient({});
  const plan = await planPrune(client, {
    keep,
    modelPrefix: `${service}-endpoint-model-`,
    configPrefix: `${service}-endpoint-config-`,
  });
  const list = (title: string, names: string[]) => console.log(`${title}: ${names.length ? names.join(", ") : "none"}`);
  list("in service (kept)", [...plan.inService.configs, ...plan.inService.models]);
  list("kept configurations", plan.keepConfigs);
  list("kept models", plan.keepModels);
  list("configurations to delete", plan.deleteConfigs);
  list("models to delete", plan.deleteModels);
  if (booleanOption(parsed.values, "delete")) {
    await applyPrune(client, plan);
    console.log(`deleted ${plan.deleteConfigs.length} configurations and ${plan.deleteModels.length} models`);
  } else if (plan.deleteConfigs.length + plan.deleteModels.length > 0) {
    console.log("nothing deleted: run again with --delete");
  }
  return ExitCode.Ok;
}

runCommand(spec, main);
