/**
 * The package's build (`npm run build`, which npm runs as `prepare` on an install from the git URL): compiled
 * JavaScript with declarations that plain Node.js loads without tsx, exporting the component, and the scripts the
 * component runs as local commands compiled beside it. Builds into dist/ (git-ignored), as an install does.
 */
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "../..");

/** Runs plain node (no tsx, no source condition) in the repository root and returns its stdout. */
function node(args: string[]): string {
  return execFileSync(process.execPath, args, {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, NODE_OPTIONS: "" },
  });
}

describe("the package's build (dist/)", function () {
  this.timeout(240_000);

  before(function () {
    // This is the build config's only type check in `npm test` (`npm run typecheck` leaves it out): its errors are
    // printed, and fail the suite.
    execFileSync(path.join(ROOT, "node_modules", ".bin", "tsc"), ["-p", "tsconfig.build.json"], {
      cwd: ROOT,
      stdio: ["ignore", "inherit", "inherit"],
    });
  });

  it("loads in plain Node.js as package.json's main and exports WhisperService and the client", function () {
    const report = node([
      "-e",
      [
        "const pkg = require('./package.json');",
        "const main = require('./' + pkg.main);",
        "const client = require('./' + pkg.exports['./client'].default);",
        "const { scriptCommand } = require('./dist/components/package-root.js');",
        "console.log(JSON.stringify({ component: typeof main.WhisperService, transcribeFile: typeof client.transcribeFile,",
        "  command: scriptCommand('scripts/package-model') }));",
      ].join("\n"),
    ]);
    assert.deepEqual(JSON.parse(report), {
      component: "function",
      transcribeFile: "function",
      command: "node dist/scripts/package-model.js",
    });
  });

  it("declares the component's args for TypeScript programs", function () {
    const declarations = fs.readFileSync(path.join(ROOT, "dist", "components", "index.d.ts"), "utf8");
    assert.match(declarations, /WhisperServiceArgs/);
    assert.ok(fs.existsSync(path.join(ROOT, "dist", "components", "service-args.d.ts")));
  });

  it("runs the model packager the component calls, compiled, without tsx", function () {
    assert.match(node(["dist/scripts/package-model.js", "--help"]), /--bucket/);
  });
});
