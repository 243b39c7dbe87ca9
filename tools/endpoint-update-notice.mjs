#!/usr/bin/env node
// Reads the JSON of `pulumi preview --json` and says, before `pulumi up`, what the update does to the endpoint's
// instances: SageMaker applies a new EndpointConfig by starting the variant's initial instance count (1) on the
// new config, even when autoscaling has the endpoint at zero instances, and a fleet scaled out to N comes back at
// 1; autoscaling cannot act until the update ends. Prints a GitHub warning annotation (stdout) and, when
// GITHUB_STEP_SUMMARY is set, appends the same text to the run summary. Exit 0 either way: it informs, it does
// not block. Usage: node tools/endpoint-update-notice.mjs preview.json
import { appendFileSync, readFileSync } from "node:fs";

const CONFIG_TYPE = "aws:sagemaker/endpointConfiguration:EndpointConfiguration";
const ENDPOINT_TYPE = "aws:sagemaker/endpoint:Endpoint";
/** Operations that bring up a new config or endpoint (an Endpoint "update" alone, e.g. of tags, does not). */
const NEW_RESOURCE = new Set(["create", "replace", "create-replacement"]);

/** The resource type in a URN `urn:pulumi:<stack>::<project>::<parent types$>type::<name>`. */
function typeOf(urn) {
  const qualified = urn.split("::")[2] ?? "";
  return qualified.split("$").pop();
}

/** The notice for a parsed preview, or undefined when the endpoint's instances are left alone. */
export function endpointUpdateNotice(preview) {
  const steps = (preview.steps ?? []).filter((s) => NEW_RESOURCE.has(s.op));
  const endpoint = steps.find((s) => typeOf(s.urn) === ENDPOINT_TYPE);
  const config = steps.find((s) => typeOf(s.urn) === CONFIG_TYPE);
  if (endpoint === undefined && config === undefined) return undefined;
  const what = endpoint !== undefined ? "creates the endpoint" : "gives the endpoint a new EndpointConfig";
  return (
    `This update ${what}: SageMaker starts 1 instance on it even if the endpoint is scaled to zero now ` +
    "(billed until the idle alarm scales it back in), a scaled-out fleet restarts at 1 instance, and autoscaling " +
    "waits until the endpoint is InService again. See docs/updates.md."
  );
}

function main(path) {
  const notice = endpointUpdateNotice(JSON.parse(readFileSync(path, "utf8")));
  if (notice === undefined) {
    console.log("The update leaves the endpoint's instances alone.");
    return;
  }
  console.log(`::warning title=Endpoint update::${notice}`);
  if (process.env.GITHUB_STEP_SUMMARY) appendFileSync(process.env.GITHUB_STEP_SUMMARY, `> [!WARNING]\n> ${notice}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (process.argv.length !== 3) {
    console.error("usage: node tools/endpoint-update-notice.mjs <pulumi preview --json output>");
    process.exit(2);
  }
  main(process.argv[2]);
}
