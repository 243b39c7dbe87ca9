#!/usr/bin/env node
// Makes a fresh clone ready to test and run, using only the package registries:
//   1. node_modules from package-lock.json (npm ci), when missing or when the lock changed;
//   2. .venv with inference/requirements-dev.txt and the inference package (editable), when missing or
//      when a requirements file or inference/pyproject.toml changed.
// Each step records a hash of its inputs, so a second run does nothing and takes well under a second. A run that
// installs says what it installs, one line per step with its time, and lets pip show its own progress (a first
// install takes minutes, most of it pip).
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
    const pipInstall = (...args) =>
      run(venvPython, ["-m", "pip", "install", "--disable-pip-version-check", "--no-input", ...args]);
    const pinned = pinnedRequirements("inference/requirements-dev.txt");
    say(`pip install: ${pinned.length} pinned packages of inference/requirements*.txt; pip's progress follows`);
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
