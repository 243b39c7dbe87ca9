#!/usr/bin/env node
// Makes a fresh clone ready to test and run, using only the package registries:
//   1. node_modules from package-lock.json (npm ci), when missing or when the lock changed;
//   2. .venv with inference/requirements-dev.txt and the inference package (editable), when missing or
//      when a requirements file or inference/pyproject.toml changed.
// Each step records a hash of its inputs, so a second run does nothing and takes well under a second. A run that
// installs says what it installs, one line per step with its time (a first install takes a minute or two, most of
// it npm: the Python packages go in through uv, which takes seconds; through pip, with its progress, where uv cannot).
// Everything it and the installers print goes to stderr: stdout belongs to the command it runs before (`npm start
// ... > out.txt` must hold only the transcript). Two runs at once (two first `npm start`s) take turns through a lock
// directory, .bootstrap.lock: the second waits, then finds the installs done.
// Dependency-free on purpose: it runs before node_modules exists.
import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const python = process.env.PYTHON ?? "python3";

function hashOf(paths) {
  const hash = createHash("sha256");
  for (const path of paths) hash.update(path).update(readFileSync(join(root, path)));
  return hash.digest("hex");
}

const started = Date.now();
const elapsed = () => {
  const seconds = Math.round((Date.now() - started) / 1000);
  return seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
};
const say = (line) => console.error(`bootstrap: ${line}`);

/** The pinned requirements (`name==version`) of a requirements file, following its `-r` includes. */
function pinnedRequirements(file) {
  return readFileSync(join(root, file), "utf8")
    .split("\n")
    .map((line) => line.replace(/#.*/, "").trim())
    .flatMap((line) => {
      const include = /^-r\s+(\S+)$/.exec(line);
      if (include) return pinnedRequirements(join(dirname(file), include[1]));
      return line.includes("==") ? [line] : [];
    });
}

function run(command, args) {
  // The installers' stdout (npm's "added 413 packages", pip's progress) is sent to our stderr.
  const result = spawnSync(command, args, { cwd: root, stdio: ["inherit", 2, "inherit"] });
  if (result.error) throw new Error(`bootstrap: cannot run ${command}: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`bootstrap: ${command} ${args.join(" ")} exited with ${result.status}`);
}

/** Whether `stampPath` records the hash of `inputs` (that step's install is done and current). */
function isCurrent(stampPath, inputs) {
  const stamp = join(root, stampPath);
  return existsSync(stamp) && readFileSync(stamp, "utf8") === hashOf(inputs);
}

/** Runs `install` unless `stampPath` already records the hash of `inputs`; the stamp is written last. */
function ensure(label, stampPath, inputs, install) {
  if (isCurrent(stampPath, inputs)) return;
  const wanted = hashOf(inputs);
  const stamp = join(root, stampPath);
  say(`installing ${label} (first run, or ${inputs.join(", ")} changed)`);
  install();
  writeFileSync(stamp, wanted);
  say(`${label} ready (${elapsed()} so far)`);
}

const LOCK = join(root, ".bootstrap.lock");
const LOCK_OWNER = join(LOCK, "pid");

function isRunning(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === "EPERM";
  }
}

/** Blocks this thread for `ms` milliseconds (nothing else is running: this script is synchronous). */
function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Takes the install lock (mkdir is atomic), waiting while another bootstrap holds it. A lock whose owner is no
 * longer running (a run that was killed) is taken over.
 */
function acquireLock() {
  let waited = false;
  for (;;) {
    try {
      mkdirSync(LOCK);
      writeFileSync(LOCK_OWNER, String(process.pid));
      return;
    } catch (error) {
      if (error.code !== "EEXIST") throw error;
    }
    const owner = Number(existsSync(LOCK_OWNER) ? readFileSync(LOCK_OWNER, "utf8") : NaN);
    if (Number.isInteger(owner) && !isRunning(owner)) {
      say(`taking over the install lock of pid ${owner}, which is no longer running`);
      rmSync(LOCK, { recursive: true, force: true });
      continue;
    }
    if (!waited) say(`another bootstrap${Number.isInteger(owner) ? ` (pid ${owner})` : ""} is installing; waiting`);
    waited = true;
    sleep(500);
  }
}

/**
 * The installer of the .venv's packages: uv, pinned, itself installed by pip. It installs the same pinned versions
 * as pip in seconds where pip takes a minute or more (a fresh clone, warm caches, 2026-12-07: pip 55-90 s, uv 16 s
 * for the 58 packages with their bytecode; `pip freeze` of both venvs compared equal). Where uv cannot be installed or its install
 * fails, pip installs everything as before.
 */
const UV = "uv==0.13.10";

/** pip's settings that say where packages come from, and uv's flag for each (uv does not read pip's config). */
const PIP_SOURCE_FLAGS = {
  "index-url": "--index-url",
  "extra-index-url": "--extra-index-url",
  "find-links": "--find-links",
  "trusted-host": "--allow-insecure-host",
};

/**
 * uv's flags and environment for the package sources pip is configured with (`pip config list`: PIP_* variables
 * and pip.conf files, a variable overriding a file), so a team's mirror or wheel folder serves uv as it serves pip.
 */
function uvSourcesFromPip(venvPython) {
  const listed = spawnSync(venvPython, ["-m", "pip", "config", "list"], { cwd: root, encoding: "utf8" });
  const settings = new Map();
  const fromEnvironment = new Set();
  for (const line of listed.status === 0 ? listed.stdout.split("\n") : []) {
    const match = /^(:env:|[\w-]+)\.([\w-]+)='(.*)'$/.exec(line.trim());
    if (!match) continue;
    const [, scope, key, value] = match;
    if (fromEnvironment.has(key) && scope !== ":env:") continue;
    if (scope === ":env:") fromEnvironment.add(key);
    settings.set(key, value);
  }
  const flags = [];
  for (const [key, flag] of Object.entries(PIP_SOURCE_FLAGS)) {
    for (const value of (settings.get(key) ?? "").split(/\s+/).filter(Boolean)) flags.push(flag, value);
  }
  const cert = settings.get("cert");
  return { flags, env: cert && !process.env.SSL_CERT_FILE ? { SSL_CERT_FILE: cert } : {} };
}

/** Installs the .venv's packages with uv; false (having said why) when pip must do it instead. */
function installWithUv(venvPython, packages) {
  const uv = join(root, ".venv", "bin", "uv");
  const quietPip = ["-m", "pip", "install", "--disable-pip-version-check", "--no-input", "--quiet", UV];
  if (spawnSync(venvPython, quietPip, { cwd: root, stdio: ["ignore", 2, 2] }).status !== 0) {
    say(`cannot install ${UV} with pip; pip installs the packages instead`);
    return false;
  }
  const { flags, env } = uvSourcesFromPip(venvPython);
  const uvInstall = (...args) =>
    spawnSync(uv, ["pip", "install", "--python", venvPython, ...flags, ...args], {
      cwd: root,
      stdio: ["ignore", 2, 2],
      env: { ...process.env, ...env },
    }).status === 0;
  say(`uv pip install: ${packages}`);
  // Compiled to bytecode as pip does it (uv does not by default): otherwise, where PYTHONDONTWRITEBYTECODE is set,
  // every Python start compiles what it imports again (1.3 CPU-seconds more to import the server's packages).
  if (!uvInstall("--compile-bytecode", "-r", "inference/requirements-dev.txt")) {
    say("uv could not install them; pip installs them instead");
    return false;
  }
  say("uv pip install: the inference package (editable)");
  if (!uvInstall("--quiet", "--no-deps", "-e", "./inference")) {
    say("uv could not install the inference package; pip installs the packages instead");
    return false;
  }
  return true;
}

const nodeMajor = Number(process.versions.node.split(".")[0]);
const STEPS_INPUTS = {
  node: ["package-lock.json"],
  python: ["inference/requirements.txt", "inference/requirements-dev.txt", "inference/pyproject.toml"],
};

// The usual case, everything installed, takes no lock.
if (
  isCurrent("node_modules/.bootstrap-stamp", STEPS_INPUTS.node) &&
  isCurrent(".venv/.bootstrap-stamp", STEPS_INPUTS.python)
) {
  process.exit(0);
}
acquireLock();
try {
  ensure("node modules", "node_modules/.bootstrap-stamp", STEPS_INPUTS.node, () => {
    if (nodeMajor < 22) {
      say(
        `Node.js ${process.version} is past its end of life; this project targets Node 22 or 24 (LTS), 20 still works`,
      );
    }
    say("npm ci: the packages pinned in package-lock.json (npm prints how many when done)");
    run("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"]);
  });
  const venvPython = join(root, ".venv", "bin", "python");
  ensure("Python environment (.venv)", ".venv/.bootstrap-stamp", STEPS_INPUTS.python, () => {
    // A half-built venv from an interrupted run is thrown away rather than patched.
    rmSync(join(root, ".venv"), { recursive: true, force: true });
    say(`${python} -m venv .venv`);
    run(python, ["-m", "venv", ".venv"]);
    const pinned = pinnedRequirements("inference/requirements-dev.txt");
    const packages = `${pinned.length} pinned packages of inference/requirements*.txt`;
    if (installWithUv(venvPython, packages)) return;
    const pipInstall = (...args) =>
      run(venvPython, ["-m", "pip", "install", "--disable-pip-version-check", "--no-input", ...args]);
    say(`pip install: ${packages}; pip's progress follows`);
    pipInstall("--progress-bar", process.stderr.isTTY ? "on" : "off", "-r", "inference/requirements-dev.txt");
    say("pip install: the inference package (editable)");
    pipInstall("--quiet", "--no-deps", "-e", "./inference");
  });
} catch (error) {
  console.error(error.message);
  process.exitCode = 1;
} finally {
  rmSync(LOCK, { recursive: true, force: true });
}
