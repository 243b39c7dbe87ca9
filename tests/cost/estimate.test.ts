/**
 * `npm run cost -- --estimate`: the arithmetic on the example stacks' own settings, the program's alarms counted
 * against the estimate's figure, and the CLI reading a stack's config through a stand-in for the Pulumi CLI.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { chmod, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadStackConfig } from "../../components/config";
import { ALARM_METRICS, HOURS_PER_MONTH, LIST_PRICES, estimateCost, formatEstimate } from "../../scripts/cost/estimate";
import { stackConfigFrom } from "../../scripts/cost/stack-config";
import { runCli } from "../client/helpers";
import { repoRoot } from "../support/moto";
import { REGION, loadProgram, ofType } from "../program/mocks";
import { exampleStacks, stackConfig } from "../program/stacks";

const configOf = (settings: Record<string, string>) =>
  loadStackConfig((key) => settings[`whisper-async:${key}`], settings["aws:region"] ?? "us-east-1");
const line = (lines: readonly { item: string; dollars: number }[], item: string) => {
  const found = lines.find((l) => l.item.includes(item));
  assert.ok(found, `no line for ${item}`);
  return found.dollars;
};

describe("cost estimate (npm run cost -- --estimate)", function () {
  this.timeout(60_000);

  it("dev: the first instance for its start and idleMinutes, an idle month of storage, alarms and dashboard", function () {
    const estimate = estimateCost({ region: "us-east-1", config: configOf(stackConfig("dev")) });
    // Pulumi.dev.yaml: ml.g4dn.xlarge ($0.7364/h by default), idleMinutes 10, minInstances 0 (the default).
    assert.equal(estimate.pricePerHour, 0.7364);
    assert.equal(line(estimate.firstDeploy, "instance"), ((8 + 10) / 60) * 0.7364);
    assert.equal(line(estimate.idleMonth, "always-on"), 0);
    assert.equal(line(estimate.idleMonth, "S3"), 3.09 * LIST_PRICES.s3StandardPerGbMonth);
    assert.equal(line(estimate.idleMonth, "ECR"), 3 * LIST_PRICES.ecrStoragePerGbMonth);
    assert.equal(line(estimate.idleMonth, "alarms"), 13 * LIST_PRICES.alarmMetricPerMonth);
    assert.equal(line(estimate.idleMonth, "drop folder"), 0);
    assert.equal(line(estimate.idleMonth, "dashboard"), LIST_PRICES.dashboardPerMonth);
    assert.ok(Math.abs(estimate.firstDeployTotal - 0.22092) < 1e-9, String(estimate.firstDeployTotal));
    assert.ok(Math.abs(estimate.idleMonthTotal - (0.07107 + 0.3 + 1.3 + 3)) < 1e-9, String(estimate.idleMonthTotal));
  });

  it("follows the stack: minInstances run all month, speaker labels add their models, another model needs its size", function () {
    const always = estimateCost({
      region: "us-east-1",
      config: configOf({ "whisper-async:minInstances": "1", "whisper-async:idleMinutes": "30" }),
      startupMinutes: 6,
    });
    assert.equal(line(always.firstDeploy, "instance"), (6 / 60) * 0.7364, "the start only: it never scales in");
    assert.equal(line(always.idleMonth, "always-on"), HOURS_PER_MONTH * 0.7364);
    const labels = estimateCost({
      region: "us-east-1",
      config: configOf({ "whisper-async:speakerLabels": "on-request" }),
    });
    assert.equal(line(labels.idleMonth, "S3"), (3.09 + 0.034) * LIST_PRICES.s3StandardPerGbMonth);
    const g5 = estimateCost({
      region: "us-east-1",
      config: configOf({ "whisper-async:instanceType": "ml.g5.xlarge" }),
    });
    assert.equal(line(g5.firstDeploy, "instance"), ((8 + 15) / 60) * 1.408);
    const turbo = configOf({
      "whisper-async:modelRepo": "Systran/faster-whisper-large-v3-turbo",
      "whisper-async:modelRevision": "0".repeat(40),
    });
    assert.throws(() => estimateCost({ region: "us-east-1", config: turbo }), /is not known: pass --model-gb/);
    assert.equal(line(estimateCost({ region: "us-east-1", config: turbo, modelGb: 1.6 }).idleMonth, "S3"), 1.6 * 0.023);
  });

  it("says how long the first up's uploads take on the operator's uplink", function () {
    const dev = estimateCost({ region: "us-east-1", config: configOf(stackConfig("dev")) });
    assert.ok(Math.abs(dev.firstUpload.gb - 6.09) < 1e-9, String(dev.firstUpload.gb));
    assert.deepEqual(
      dev.firstUpload.minutesAt.map(({ mbps, minutes }) => [mbps, Math.round(minutes)]),
      [
        [10, 81],
        [100, 8],
      ],
    );
    assert.match(
      formatEstimate(dev),
      /^ {4}Uploads from this machine: 6\.09 GB \(image push and model\), 81 min at 10 Mbit\/s, 8 min at 100 Mbit\/s \(--uplink-mbps N for yours\);/m,
    );
    const slow = estimateCost({ region: "us-east-1", config: configOf(stackConfig("dev")), uplinkMbps: 2 });
    assert.match(
      formatEstimate(slow),
      /^ {4}Uploads from this machine: 6\.09 GB \(image push and model\), 406 min at 2 Mbit\/s;/m,
    );
  });

  it("names the region it priced; outside us-east-1 it needs the stack's price, and says the rest is us-east-1's", function () {
    const tokyo = { "aws:region": "ap-northeast-1", "whisper-async:instancePricePerHour": "0.99" };
    const estimate = estimateCost({ region: "ap-northeast-1", config: configOf(tokyo) });
    assert.equal(estimate.region, "ap-northeast-1");
    assert.equal(line(estimate.firstDeploy, "instance"), ((8 + 15) / 60) * 0.99);
    assert.match(
      formatEstimate(estimate),
      /^Priced for ap-northeast-1: ml\.g4dn\.xlarge at \$0\.99\/h, the stack's instance price; storage, alarms and the dashboard at us-east-1 list prices \(scripts\/cost\/estimate\.ts\), which ap-northeast-1 may exceed\.$/m,
    );
    assert.throws(
      () => stackConfigFrom({ "aws:region": { value: "ap-northeast-1" } }),
      /whisper-async:instancePricePerHour must be set for ml\.g4dn\.xlarge in ap-northeast-1: the default prices are us-east-1 on-demand prices/,
    );
  });

  for (const { title, config } of exampleStacks()) {
    it(`${title}: the program's alarms evaluate as many metrics as the estimate counts`, async function () {
      await loadProgram({ "aws:region": REGION, ...config });
      const alarms = ofType("aws:cloudwatch/metricAlarm:MetricAlarm");
      const metrics = alarms.reduce(
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        (sum, alarm) => sum + (alarm.inputs.metricQueries?.filter((q: any) => q.metric).length ?? 1),
        0,
      );
      const dropFolder = config["whisper-async:dropFolder"] === "false" ? 0 : ALARM_METRICS.dropFolder;
      assert.equal(metrics, ALARM_METRICS.program + dropFolder);
      const targetTracking = ofType("aws:appautoscaling/policy:Policy").filter(
        (p) => p.inputs.policyType === "TargetTrackingScaling",
      );
      assert.equal(targetTracking.length, 1, "one target-tracking policy, whose two alarms AAS creates");
      assert.equal(ofType("aws:cloudwatch/dashboard:Dashboard").length, 1);
    });
  }

  it("reads the stack's config with `pulumi config --json` and prints both totals; bad settings are usage errors", async function () {
    const bin = await mkdtemp(join(tmpdir(), "fake-pulumi-"));
    try {
      const asCli = Object.fromEntries(
        Object.entries(stackConfig("dev")).map(([key, value]) => [key, { value, secret: false }]),
      );
      await writeFile(
        join(bin, "pulumi"),
        `#!/bin/sh\n[ "$*" = "config --json --stack dev" ] || { echo "unexpected: $*" >&2; exit 3; }\n` +
          `cat <<'EOF'\n${JSON.stringify(asCli)}\nEOF\n`,
      );
      await chmod(join(bin, "pulumi"), 0o755);
      const env = { PATH: `${bin}:${process.env.PATH}` };
      const text = await runCli("cost.ts", ["--estimate", "--stack", "dev"], env);
      assert.equal(text.code, 0, text.stderr);
      assert.match(text.stdout, /First deploy \(one time\):\n\s+\$0\.22 {2}first ml\.g4dn\.xlarge instance/);
      assert.match(text.stdout, /\$4\.67 {2}total/);
      const slow = await runCli("cost.ts", ["--estimate", "--stack", "dev", "--uplink-mbps", "10"], env);
      assert.match(slow.stdout, /Uploads from this machine: 6\.09 GB \(image push and model\), 81 min at 10 Mbit\/s;/);
      assert.match(
        text.stdout,
        /^Priced for us-east-1: ml\.g4dn\.xlarge at \$0\.7364\/h, the stack's instance price;/m,
      );
      const json = await runCli("cost.ts", ["--estimate", "--stack", "dev", "--json", "--image-gb", "2.5"], env);
      assert.equal(json.code, 0, json.stderr);
      assert.equal(
        JSON.parse(json.stdout).idleMonth.find((l: { item: string }) => l.item.startsWith("ECR")).dollars,
        0.25,
      );
      const mixed = await runCli("cost.ts", ["--estimate", "--stack", "dev", "--since", "3d"], env);
      assert.equal(mixed.code, 2);
      assert.match(mixed.stderr, /--since reads a deployed stack: not with --estimate/);
      const unknownStack = await runCli("cost.ts", ["--estimate", "--stack", "prod"], env);
      assert.equal(unknownStack.code, 2);
      assert.match(
        unknownStack.stderr,
        /cannot read the stack's config \(pulumi config --json --stack prod\): unexpected/,
      );
    } finally {
      await rm(bin, { recursive: true, force: true });
    }
    assert.throws(
      () => stackConfigFrom({ "whisper-async:idleMinutes": { value: "0" } }),
      /whisper-async:idleMinutes must be an integer from 1 to 1440, got "0"/,
    );
  });

  describe("without the Pulumi CLI (someone weighing the project before installing anything)", () => {
    let bin: string;
    let withoutPulumi: Record<string, string>;
    before(async () => {
      // A PATH with node only: the CLI needs nothing else, and a pulumi installed beside node must not be found.
      bin = await mkdtemp(join(tmpdir(), "no-pulumi-"));
      await symlink(process.execPath, join(bin, "node"));
      withoutPulumi = { PATH: bin };
    });
    after(() => rm(bin, { recursive: true, force: true }));

    it("reads Pulumi.<stack>.yaml: dev by default, --stack prod, and says so on stderr", async () => {
      const dev = await runCli("cost.ts", ["--estimate"], withoutPulumi);
      assert.equal(dev.code, 0, dev.stderr);
      assert.match(dev.stderr, /cost: the stack's settings from Pulumi\.dev\.yaml \(no Pulumi CLI on PATH\)/);
      assert.match(dev.stdout, /\$4\.67 {2}total/);
      const prod = await runCli("cost.ts", ["--estimate", "--stack", "prod", "--json"], withoutPulumi);
      assert.equal(prod.code, 0, prod.stderr);
      const prodSettings = stackConfig("prod");
      const expected = estimateCost({ config: configOf(prodSettings), region: prodSettings["aws:region"] });
      assert.deepEqual(JSON.parse(prod.stdout), JSON.parse(JSON.stringify(expected)));
      const missing = await runCli("cost.ts", ["--estimate", "--stack", "nosuch"], withoutPulumi);
      assert.equal(missing.code, 2);
      assert.match(missing.stderr, /no stack file .*Pulumi\.nosuch\.yaml/);
    });

    it("README.md and docs/costs.md show the dev stack's estimate exactly as the CLI prints it", async () => {
      const printed = (await runCli("cost.ts", ["--estimate"], withoutPulumi)).stdout.trimEnd();
      for (const doc of ["README.md", "docs/costs.md"]) {
        const blocks = [...readFileSync(join(repoRoot, doc), "utf8").matchAll(/^( *)```\n((?:(?:\1.*)?\n)*?)\1```$/gm)];
        const shown = blocks
          .map(([, indent, body]) => body.replace(new RegExp(`^${indent}`, "gm"), "").trimEnd())
          .find((body) => body.startsWith("First deploy (one time):"));
        assert.equal(shown, printed, doc);
      }
    });
  });
});
