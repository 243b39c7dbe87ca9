/**
 * The GitHub workflows: the OIDC token only for the jobs that assume an AWS role, a pull request's preview only with
 * the read-only preview role (never falling back to the deploy role), and the deploy telling what an update does to
 * the endpoint's instances (tools/endpoint-update-notice.mjs).
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as yaml from "js-yaml";

const ROOT = path.resolve(__dirname, "../..");
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

function workflow(name: string): Json {
  return yaml.load(fs.readFileSync(path.join(ROOT, ".github", "workflows", name), "utf8"));
}

const assumesRole = (job: Json) =>
  (job.steps ?? []).some((s: Json) => String(s.uses ?? "").startsWith("aws-actions/configure-aws-credentials"));

describe("GitHub workflows", function () {
  for (const name of ["deploy.yml", "preview.yml"]) {
    it(`${name}: id-token: write only on the jobs that assume an AWS role`, function () {
      const flow = workflow(name);
      assert.equal(flow.permissions["id-token"], undefined, "not granted to every job");
      const jobs = Object.entries(flow.jobs) as [string, Json][];
      assert.ok(jobs.some(([, job]) => assumesRole(job)));
      for (const [id, job] of jobs) {
        assert.equal(job.permissions?.["id-token"], assumesRole(job) ? "write" : undefined, id);
      }
    });
  }

  it("every job runs a maintained Node LTS that package.json's engines accepts, the tests on each of them", function () {
    // Node's maintained LTS lines (nodejs.org/about/previous-releases); 20 reached its end of life in April 2026.
    const maintainedLts = [22, 24];
    const engines = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).engines.node as string;
    const minimum = Number(/^>=(\d+)$/.exec(engines)?.[1]);
    assert.equal(minimum, Math.min(...maintainedLts), `engines.node ${engines}`);
    for (const name of ["deploy.yml", "preview.yml"]) {
      for (const [id, job] of Object.entries(workflow(name).jobs) as [string, Json][]) {
        for (const step of (job.steps ?? []).filter((s: Json) =>
          String(s.uses ?? "").startsWith("actions/setup-node"),
        )) {
          const version = String(step.with["node-version"]);
          const versions = version === "${{ matrix.node }}" ? job.strategy.matrix.node : [Number(version)];
          for (const major of versions) assert.ok(maintainedLts.includes(major), `${name} ${id}: Node ${major}`);
        }
      }
    }
    assert.deepEqual(workflow("preview.yml").jobs.test.strategy.matrix.node, maintainedLts);
  });

  it("every action is at its current major (all on the Node 24 runtime), and the docs name the same", function () {
    // The newest major tag of each action's repository, read 2026-12-07; each of these runs `using: node24` (GitHub
    // retires the Node 20 runtime of older majors).
    const currentMajors: Record<string, number> = {
      "actions/checkout": 7,
      "actions/setup-node": 7,
      "actions/setup-python": 7,
      "aws-actions/configure-aws-credentials": 6,
      "docker/setup-buildx-action": 4,
      "pulumi/actions": 7,
    };
    const docs = fs.readFileSync(path.join(ROOT, "docs", "development.md"), "utf8");
    for (const name of ["deploy.yml", "preview.yml"]) {
      for (const [id, job] of Object.entries(workflow(name).jobs) as [string, Json][]) {
        for (const uses of (job.steps ?? []).map((s: Json) => s.uses).filter(Boolean) as string[]) {
          const [action, version] = uses.split("@");
          assert.ok(action in currentMajors, `${name} ${id}: ${action} is not a known action`);
          assert.equal(version, `v${currentMajors[action]}`, `${name} ${id}: ${uses}`);
          assert.ok(docs.includes(`\`${uses}\``), `docs/development.md names ${uses}`);
        }
      }
    }
  });

  it("preview.yml: assumes only the preview role and stops loudly when it is not set", function () {
    const preview = workflow("preview.yml").jobs.preview;
    const steps: Json[] = preview.steps;
    const credentials = steps.findIndex((s) =>
      String(s.uses ?? "").startsWith("aws-actions/configure-aws-credentials"),
    );
    assert.equal(steps[credentials].with["role-to-assume"], "${{ vars.AWS_PREVIEW_ROLE_ARN }}");
    assert.ok(!JSON.stringify(preview).includes("AWS_ROLE_ARN }}"), "no fallback to the deploy role");
    const guard = steps.findIndex((s) => s.name === "Require the preview role");
    assert.ok(guard >= 0 && guard < credentials, "the check runs before any credentials are requested");
    const run = (value: string) =>
      spawnSync("bash", ["-c", steps[guard].run], {
        env: { ...process.env, AWS_PREVIEW_ROLE_ARN: value },
        encoding: "utf8",
      });
    const missing = run("");
    assert.equal(missing.status, 1);
    assert.match(missing.stdout, /^::error::Set the repository variable AWS_PREVIEW_ROLE_ARN/);
    assert.equal(run("arn:aws:iam::123456789012:role/preview").status, 0);
  });

  it("deploy.yml: says what the update does to the endpoint's instances before pulumi up", function () {
    const steps: Json[] = workflow("deploy.yml").jobs.deploy.steps;
    const notice = steps.findIndex((s) => String(s.run ?? "").includes("tools/endpoint-update-notice.mjs"));
    const up = steps.findIndex((s) => s.with?.command === "up");
    assert.ok(notice >= 0 && notice < up);
    assert.match(steps[notice].run, /pulumi preview --stack "\$STACK" --json/);
  });
});

describe("endpoint update notice (tools/endpoint-update-notice.mjs)", function () {
  const step = (op: string, type: string, name: string) => ({
    op,
    urn: `urn:pulumi:dev::whisper-async::whisper-async:index:WhisperService$whisper-async:endpoint:AsyncEndpoint$${type}::${name}`,
  });
  function notice(steps: object[]): { stdout: string; summary: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "notice-"));
    try {
      fs.writeFileSync(path.join(dir, "preview.json"), JSON.stringify({ steps }));
      const summary = path.join(dir, "summary.md");
      const run = spawnSync(
        "node",
        [path.join(ROOT, "tools", "endpoint-update-notice.mjs"), path.join(dir, "preview.json")],
        {
          env: { ...process.env, GITHUB_STEP_SUMMARY: summary },
          encoding: "utf8",
        },
      );
      assert.equal(run.status, 0, run.stderr);
      return { stdout: run.stdout, summary: fs.existsSync(summary) ? fs.readFileSync(summary, "utf8") : "" };
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  it("warns when a new EndpointConfig will start an instance and reset the fleet", function () {
    const { stdout, summary } = notice([
      step(
        "create-replacement",
        "aws:sagemaker/endpointConfiguration:EndpointConfiguration",
        "whisper-endpoint-config",
      ),
      step("update", "aws:sagemaker/endpoint:Endpoint", "whisper-endpoint-endpoint"),
      step("delete-replaced", "aws:sagemaker/endpointConfiguration:EndpointConfiguration", "whisper-endpoint-config"),
    ]);
    assert.match(
      stdout,
      /^::warning title=Endpoint update::This update gives the endpoint a new EndpointConfig: SageMaker starts 1 instance/,
    );
    assert.match(summary, /scaled-out fleet restarts at 1 instance/);
  });

  it("warns on a new endpoint, and stays quiet when only tags or other resources change", function () {
    assert.match(
      notice([step("create", "aws:sagemaker/endpoint:Endpoint", "e")]).stdout,
      /This update creates the endpoint/,
    );
    const quiet = notice([
      step("update", "aws:sagemaker/endpoint:Endpoint", "e"),
      step("update", "aws:cloudwatch/dashboard:Dashboard", "d"),
      step("same", "aws:sagemaker/endpointConfiguration:EndpointConfiguration", "c"),
    ]);
    assert.equal(quiet.stdout.trim(), "The update leaves the endpoint's instances alone.");
    assert.equal(quiet.summary, "");
  });
});
