#!/usr/bin/env node
// Makes a fresh clone ready to test and run, using only the package registries:
//   1. node_modules from package-lock.json (npm ci), when missing or when the lock changed;
//   2. .venv with inference/requirements-dev.txt and the inference package (editable), when missing or
//      when a requirements file or inference/pyproject.toml changed.
// Each step records a hash of its inputs, so a second run does nothing and takes well under a second. A run that
// installs says what it installs, one line per step with its time, and lets pip show its own progress (a first
// install takes minutes, most of it pip).
// Dependency-free on purpose: it runs before node_modules exists.
import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync, rmSync } from "node:fs";
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
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit" });
  if (result.error) throw new Error(`bootstrap: cannot run ${command}: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`bootstrap: ${command} ${args.join(" ")} exited with ${result.status}`);
}

/** Runs `install` unless `stampPath` already records the hash of `inputs`; the stamp is written last. */
function ensure(label, stampPath, inputs, install) {
  const stamp = join(root, stampPath);
  const wanted = hashOf(inputs);
  if (existsSync(stamp) && readFileSync(stamp, "utf8") === wanted) return;
  say(`installing ${label} (first run, or ${inputs.join(", ")} changed)`);
  install();
  writeFileSync(stamp, wanted);
  say(`${label} ready (${elapsed()} so far)`);
}

const nodeMajor = Number(process.versions.node.split(".")[0]);

try {
  ensure("node modules", "node_modules/.bootstrap-stamp", ["package-lock.json"], () => {
    if (nodeMajor < 22) {
      say(
        `Node.js ${process.version} is past its end of life; this project targets Node 22 or 24 (LTS), 20 still works`,
      );
    }
    say("npm ci: the packages pinned in package-lock.json (npm prints how many when done)");
    run("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"]);
  });
  const venvPython = join(root, ".venv", "bin", "python");
  ensure(
    "Python environment (.venv)",
    ".venv/.bootstrap-stamp",
    ["inference/requirements.txt", "inference/requirements-dev.txt", "inference/pyproject.toml"],
    () => {
      // A half-built venv from an interrupted run is thrown away rather than patched.
      rmSync(join(root, ".venv"), { recursive: true, force: true });
      say(`${python} -m venv .venv`);
      run(python, ["-m", "venv", ".venv"]);
      const pipInstall = (...args) =>
        run(venvPython, ["-m", "pip", "install", "--disable-pip-version-check", "--no-input", ...args]);
      const pinned = pinnedRequirements("inference/requirements-dev.txt");
      say(`pip install: ${pinned.length} pinned packages of inference/requirements*.txt; pip's progress follows`);
      pipInstall("--progress-bar", process.stdout.isTTY ? "on" : "off", "-r", "inference/requirements-dev.txt");
      say("pip install: the inference package (editable)");
      pipInstall("--quiet", "--no-deps", "-e", "./inference");
    },
  );
} catch (error) {
  console.error(error.message);
  process.exit(1);
}
