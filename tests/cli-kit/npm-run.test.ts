/**
 * The CLIs as a user runs them, through the real npm: stdout holds only the command's output (the project's
 * .npmrc silences npm's "> whisper-sagemaker-async@0.1.0 smoke" banner), and options typed without `--` (which npm
 * keeps for itself) get a usage error that says so.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { repoRoot } from "../support/moto";

interface NpmRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function npm(args: readonly string[]): Promise<NpmRun> {
  // What the outer `npm test` exports (its loglevel, its own npm_config_*) would hide what a user's shell does.
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));
  return new Promise((resolve) =>
    execFile("npm", args, { cwd: repoRoot, env }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    ),
  );
}

describe("npm run, as a user types it", function () {
  this.timeout(60_000);

  it("npm run smoke -- --help: the usage and nothing of npm's", async () => {
    const run = await npm(["run", "smoke", "--", "--help"]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^Usage: npm run smoke/);
    // smoke prints the text to read unless --format is given: its help says so, not "Default json".
    assert.match(run.stdout, /--format FORMAT\s+json \| txt \| srt \| vtt: print the result as the server returns it/);
    assert.match(run.stdout, /Default: the transcript as plain text/);
  });

  it("npm run transcribe DIR --out OUT (no --): says npm took --out", async () => {
    const run = await npm(["run", "transcribe", "fixtures/audio", "--out", "somewhere"]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(
      run.stderr,
      /npm took --out for itself \(options go after `--`\): did you mean `npm run transcribe -- --out \.\.\.`\?/,
    );
  });

  it("npm run smoke --format vtt (npm reads --format as its own --format-package-lock): the hint too", async () => {
    const run = await npm(["run", "smoke", "--format", "vtt"]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /Unexpected argument 'vtt'.*npm passes on only what follows `--`/);
  });
});
