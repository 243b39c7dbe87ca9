/**
 * stdout is the result: npm's own "> whisper-sagemaker-async@0.1.0 smoke" banner must not land in front of it
 * (the project's .npmrc sets loglevel=silent). Run through the real npm, as a user types it.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { repoRoot } from "../support/moto";

function npm(args: readonly string[]): Promise<{ stdout: string; stderr: string }> {
  // A loglevel the outer `npm test` may pass down would hide what a user's own shell does.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_config_loglevel$/i.test(name)));
  return new Promise((resolve, reject) =>
    execFile("npm", args, { cwd: repoRoot, env }, (error, stdout, stderr) =>
      error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve({ stdout, stderr }),
    ),
  );
}

describe("npm run prints only the command's own stdout", function () {
  this.timeout(60_000);

  it("npm run smoke -- --help: the usage and nothing of npm's", async () => {
    const { stdout } = await npm(["run", "smoke", "--", "--help"]);
    assert.match(stdout, /^Usage: npm run smoke/);
  });
});
