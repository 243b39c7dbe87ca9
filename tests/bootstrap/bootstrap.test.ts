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
sleep "\${INSTALL_SECONDS:-0}"
mkdir -p node_modules
echo "added 413 packages in 1s"
`;
// pip installing uv puts the stand-in uv ($FAKE_UV, when set) beside the venv's python; \`pip config list\` prints
// $PIP_CONFIG_LISTING.
const FAKE_PYTHON = `#!/bin/sh
echo "python $*" >> "$INSTALL_LOG"
if [ "$2" = venv ]; then mkdir -p "$3/bin" && cp "$0" "$3/bin/python"; fi
case "$*" in
  *"pip config list"*) printf '%s\\n' "$PIP_CONFIG_LISTING"; exit 0 ;;
  *" uv=="*) if [ -n "$FAKE_UV" ]; then cp "$FAKE_UV" "$(dirname "$0")/uv"; fi ;;
esac
sleep "\${INSTALL_SECONDS:-0}"
echo "Successfully installed faster-whisper-1.2.1"
`;
const FAKE_UV = `#!/bin/sh
echo "uv $* SSL_CERT_FILE=$SSL_CERT_FILE" >> "$INSTALL_LOG"
echo "Installed 108 packages in 956ms"
exit "\${UV_EXIT:-0}"
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
    ["fake-uv", FAKE_UV],
  ]) {
    writeFileSync(join(root, "bin", name), text);
    chmodSync(join(root, "bin", name), 0o755);
  }
  return root;
}

/** Runs the stand-in's bootstrap; `env` adds to (or, with undefined, removes from) the stand-in's environment. */
function bootstrap(root: string, env: Record<string, string | undefined> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, "tools", "bootstrap.mjs")], {
      cwd: root,
      env: {
        ...process.env,
        PATH: `${join(root, "bin")}:${process.env.PATH}`,
        PYTHON: join(root, "bin", "python3"),
        INSTALL_LOG: join(root, "install.log"),
        FAKE_UV: join(root, "bin", "fake-uv"),
        PIP_CONFIG_LISTING: "",
        SSL_CERT_FILE: undefined,
        ...env,
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
    assert.match(first.stderr, /Installed 108 packages/);
    const again = await bootstrap(root);
    assert.deepEqual([again.code, again.stdout, again.stderr], [0, "", ""]);
  });

  it("two first runs at once: the second waits for the first and installs nothing again", async () => {
    // Installs that take a second, so that the second run starts while the first holds the lock.
    const slow = { INSTALL_SECONDS: "1" };
    const [one, two] = await Promise.all([bootstrap(root, slow), bootstrap(root, slow)]);
    assert.equal(one.code, 0, one.stderr);
    assert.equal(two.code, 0, two.stderr);
    const calls = installCalls(root);
    assert.equal(calls.filter((call) => call.startsWith("npm ci")).length, 1, calls.join("\n"));
    assert.equal(calls.filter((call) => call.includes("-m venv")).length, 1, calls.join("\n"));
    assert.match(one.stderr + two.stderr, /another bootstrap \(pid \d+\) is installing; waiting/);
  });

  it("installs the Python packages with uv, pinned, in the project's venv", async () => {
    const run = await bootstrap(root);
    assert.equal(run.code, 0, run.stderr);
    const calls = installCalls(root);
    assert.ok(
      calls.some((call) => / -m pip install .* uv==\d+\.\d+\.\d+$/.test(call)),
      calls.join("\n"),
    );
    const venvPython = join(root, ".venv", "bin", "python");
    assert.ok(
      calls.includes(
        `uv pip install --python ${venvPython} --compile-bytecode -r inference/requirements-dev.txt SSL_CERT_FILE=`,
      ),
    );
    assert.ok(calls.includes(`uv pip install --python ${venvPython} --quiet --no-deps -e ./inference SSL_CERT_FILE=`));
    assert.ok(
      !calls.some((call) => call.includes("pip install --disable-pip-version-check --no-input --progress-bar")),
    );
  });

  it("gives uv the package sources pip is configured with (a variable over a file)", async () => {
    const listing = [
      "global.index-url='https://files.example/simple'",
      ":env:.index-url='https://mirror.example/simple'",
      "global.find-links='/wheels /more-wheels'",
      "global.trusted-host='mirror.example'",
      ":env:.cert='/etc/team-ca.pem'",
    ].join("\n");
    const run = await bootstrap(root, { PIP_CONFIG_LISTING: listing });
    assert.equal(run.code, 0, run.stderr);
    const sources =
      "--index-url https://mirror.example/simple --find-links /wheels --find-links /more-wheels " +
      "--allow-insecure-host mirror.example";
    const uvCalls = installCalls(root).filter((call) => call.startsWith("uv "));
    assert.equal(uvCalls.length, 2, uvCalls.join("\n"));
    for (const call of uvCalls) {
      assert.ok(call.includes(`/.venv/bin/python ${sources} `), call);
      assert.ok(call.endsWith("SSL_CERT_FILE=/etc/team-ca.pem"), call);
    }
  });

  for (const [why, env, said] of [
    ["uv's install fails", { UV_EXIT: "1" }, /uv could not install them; pip installs them instead/],
    ["uv cannot be had", { FAKE_UV: "" }, /uv could not install them; pip installs them instead/],
  ] as const) {
    it(`installs with pip when ${why}`, async () => {
      const run = await bootstrap(root, env);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stderr, said);
      const calls = installCalls(root);
      assert.ok(
        calls.some((call) => call.includes("-m pip install") && call.includes("-r inference/requirements-dev.txt")),
      );
      assert.ok(calls.some((call) => call.includes("-m pip install") && call.includes("-e ./inference")));
      assert.equal(run.stdout, "");
    });
  }

  it("takes over the lock of a run that was killed", async () => {
    mkdirSync(join(root, ".bootstrap.lock"));
    writeFileSync(join(root, ".bootstrap.lock", "pid"), "999999999");
    const run = await bootstrap(root);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /taking over the install lock of pid 999999999/);
  });
});
