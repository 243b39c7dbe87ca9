/**
 * tools/bootstrap.mjs on a stand-in project: a copy of the script beside the files it hashes, with `npm` and the
 * Python it runs replaced by scripts that print to stdout as the real installers do ("added 413 packages") and log
 * each call. What it proves: installers' output reaches stderr only, and two first runs at once install once.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "../support/moto";

const FAKE_NPM = `#!/bin/sh
echo "npm $*" >> "$INSTALL_LOG"
sleep 1
mkdir -p node_modules
echo "added 413 packages in 1s"
`;
const FAKE_PYTHON = `#!/bin/sh
echo "python $*" >> "$INSTALL_LOG"
if [ "$2" = venv ]; then mkdir -p "$3/bin" && cp "$0" "$3/bin/python"; fi
sleep 1
echo "Successfully installed faster-whisper-1.2.1"
`;

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A project with the files bootstrap hashes and stand-in installers; returns its root. */
function standInProject(): string {
  const root = mkdtempSync(join(tmpdir(), "bootstrap-"));
  mkdirSync(join(root, "tools"));
  mkdirSync(join(root, "inference"));
  mkdirSync(join(root, "bin"));
  copyFileSync(join(repoRoot, "tools", "bootstrap.mjs"), join(root, "tools", "bootstrap.mjs"));
  writeFileSync(join(root, "package-lock.json"), "{}\n");
  writeFileSync(join(root, "inference", "requirements.txt"), "faster-whisper==1.2.1\n");
  writeFileSync(join(root, "inference", "requirements-dev.txt"), "-r requirements.txt\npytest==8.4.2\n");
  writeFileSync(join(root, "inference", "pyproject.toml"), "[project]\nname = 'stand-in'\n");
  for (const [name, text] of [
    ["npm", FAKE_NPM],
    ["python3", FAKE_PYTHON],
  ]) {
    writeFileSync(join(root, "bin", name), text);
    chmodSync(join(root, "bin", name), 0o755);
  }
  return root;
}

function bootstrap(root: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, "tools", "bootstrap.mjs")], {
      cwd: root,
      env: {
        ...process.env,
        PATH: `${join(root, "bin")}:${process.env.PATH}`,
        PYTHON: join(root, "bin", "python3"),
        INSTALL_LOG: join(root, "install.log"),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}

const installCalls = (root: string) => readFileSync(join(root, "install.log"), "utf8").trim().split("\n");

describe("bootstrap (tools/bootstrap.mjs)", function () {
  this.timeout(30_000);
  let root: string;
  beforeEach(() => (root = standInProject()));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("sends every install line to stderr: stdout stays the following command's", async () => {
    const first = await bootstrap(root);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout, "");
    assert.match(first.stderr, /added 413 packages/);
    assert.match(first.stderr, /Successfully installed faster-whisper/);
    const again = await bootstrap(root);
    assert.deepEqual([again.code, again.stdout, again.stderr], [0, "", ""]);
  });

  it("two first runs at once: the second waits for the first and installs nothing again", async () => {
    const [one, two] = await Promise.all([bootstrap(root), bootstrap(root)]);
    assert.equal(one.code, 0, one.stderr);
    assert.equal(two.code, 0, two.stderr);
    const calls = installCalls(root);
    assert.equal(calls.filter((call) => call.startsWith("npm ci")).length, 1, calls.join("\n"));
    assert.equal(calls.filter((call) => call.includes("-m venv")).length, 1, calls.join("\n"));
    assert.match(one.stderr + two.stderr, /another bootstrap \(pid \d+\) is installing; waiting/);
  });

  it("takes over the lock of a run that was killed", async () => {
    mkdirSync(join(root, ".bootstrap.lock"));
    writeFileSync(join(root, ".bootstrap.lock", "pid"), "999999999");
    const run = await bootstrap(root);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /taking over the install lock of pid 999999999/);
  });
});
