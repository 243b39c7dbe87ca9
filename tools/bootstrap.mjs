#!/usr/bin/env node
// Makes a fresh clone ready to test and run, using only the package registries:
//   1. node_modules from package-lock.json (npm ci), when missing or when the lock changed;
//   2. .venv with inference/requirements-dev.txt and the inference package (editable), when missing or
//      when a requirements file or inference/pyproject.toml changed.
// Each step records a hash of its inputs, so a second run does nothing and takes well under a second.
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
  console.error(`bootstrap: installing ${label} ...`);
  install();
  writeFileSync(stamp, wanted);
}

try {
  ensure("node modules", "node_modules/.bootstrap-stamp", ["package-lock.json"], () =>
    run("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"]),
  );
  const venvPython = join(root, ".venv", "bin", "python");
  ensure(
    "Python environment (.venv)",
    ".venv/.bootstrap-stamp",
    ["inference/requirements.txt", "inference/requirements-dev.txt", "inference/pyproject.toml"],
    () => {
      // A half-built venv from an interrupted run is thrown away rather than patched.
      rmSync(join(root, ".venv"), { recursive: true, force: true });
      run(python, ["-m", "venv", ".venv"]);
      const pipInstall = (...args) =>
        run(venvPython, ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", ...args]);
      pipInstall("-r", "inference/requirements-dev.txt");
      pipInstall("--no-deps", "-e", "./inference");
    },
  );
} catch (error) {
  console.error(error.message);
  process.exit(1);
}
