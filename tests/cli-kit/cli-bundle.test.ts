import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { scriptCommand } from "../../components/package-root";
import { REPO_ROOT } from "../../scripts/client/local-server";
import { SAMPLE_AUDIO } from "../../scripts/client/sample";
import { cliBundle } from "../support/cli-bundle";
import { repoRoot } from "../support/moto";

// The tests run the CLIs from esbuild bundles (tests/support/cli-bundle.ts); a CLI must see there the paths it sees
// under tsx, or its tests would check a program users never run.
describe("the CLIs' test bundles", function () {
  this.timeout(60_000);

  it("keep each module's own __dirname and __filename, as under tsx", async () => {
    const entry = "tests/support/source-paths-cli.ts";
    const bundle = await cliBundle(entry);
    assert.ok(bundle.startsWith(join(repoRoot, "node_modules", ".cache")), bundle);
    const printed = JSON.parse(execFileSync(process.execPath, [bundle], { cwd: repoRoot, encoding: "utf8" }));
    assert.deepEqual(printed, {
      here: join(repoRoot, entry),
      repoRoot: REPO_ROOT,
      sample: SAMPLE_AUDIO,
      command: scriptCommand("scripts/x"),
    });
    assert.equal(printed.command, "node_modules/.bin/tsx scripts/x.ts");
  });

  it("are built once per test process", async () => {
    assert.equal(await cliBundle("scripts/prune.ts"), await cliBundle("scripts/prune.ts"));
  });
});
