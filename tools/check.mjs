#!/usr/bin/env node
// `npm run check` (what `npm test` runs after bootstrap): every check, in lanes that run side by side, in two phases.
//   phase 1:  slow     inference/tests marked `slow`: real `serve` processes that time /ping while minutes of audio
//                      decode; the busy lanes of phase 2 would make those timings mean less, so only
//            static   typecheck, then lint (tsc, ESLint, Prettier, ruff), one process at a time, runs beside them:
//                      the slow cases keep one core busy of two, and the static checks take the other
//   phase 2:  mocha    the TypeScript tests
//            pytest   inference/tests without the `slow` cases and without the modules below, then
//                      clients/python/tests
//            speech   the pytest modules that decode the most speech (HEAVY_PYTEST_MODULES), not `slow`
// Two cores are enough for phase 2's overlap to pay: much of mocha's time is spent waiting on child processes (the
// CLIs, moto, the local server). pytest is one process on one core and was the long pole (6 min against mocha's 4
// on 2026-12-07), so its heaviest modules run as a lane of their own: each lane pays its own session fixtures (a
// model load, a server: seconds), and the whole suite's CPU is shared by both cores until the end. Each lane's
// output is kept and printed whole when the lane ends (never interleaved), then one line per lane with its time;
// the slowest tests of each runner are listed by the runner itself (pytest --durations, mocha's
// tests/support/slowest.ts, which also names the test files that cost the most CPU). The exit code is 1 if any
// lane failed.
import { Buffer } from "node:buffer";
import { spawn } from "node:child_process";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const python = join(root, ".venv", "bin", "python");
const SLOWEST = "--durations=10";

/**
 * The pytest modules that decode the most speech: about half of the `not slow` cases' time (167 of 319 s, measured
 * one module at a time on 2026-12-07), so the two pytest lanes end together. A module listed here that no longer
 * exists fails the lane (pytest: file not found); a new module runs in the `pytest` lane.
 */
const HEAVY_PYTEST_MODULES = [
  "test_speakers_api.py",
  "test_subtitles.py",
  "test_multilingual.py",
  "test_mixed_languages.py",
  "test_languages.py",
  "test_diarization.py",
].map((name) => `inference/tests/${name}`);

/** pytest on the cases that are not `slow`. */
const FAST_PYTEST = ["-m", "pytest", "-q", SLOWEST, "-m", "not slow"];

/** The phases, one after another; in each, its lanes side by side; in a lane, its steps one after another (a failed
 * step ends the lane). */
const PHASES = [
  {
    slow: [[python, ["-m", "pytest", "-q", SLOWEST, "-m", "slow", "inference/tests"]]],
    static: [
      ["npm", ["run", "--silent", "typecheck"]],
      ["npm", ["run", "--silent", "lint"]],
    ],
  },
  {
    mocha: [["npm", ["run", "--silent", "test:ts"]]],
    pytest: [
      [python, [...FAST_PYTEST, ...HEAVY_PYTEST_MODULES.map((path) => `--ignore=${path}`), "inference/tests"]],
      [python, ["-m", "pytest", "-q", SLOWEST, "clients/python/tests"]],
    ],
    speech: [[python, [...FAST_PYTEST, ...HEAVY_PYTEST_MODULES]]],
  },
];

const say = (line) => console.error(`check: ${line}`);
const seconds = (ms) => {
  const total = Math.round(ms / 1000);
  return total < 60 ? `${total} s` : `${Math.floor(total / 60)} min ${total % 60} s`;
};

/** Runs one step with its output kept in memory (stdout and stderr in the order they came). */
function runStep(command, args) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"], env: process.env });
    const output = [];
    child.stdout.on("data", (chunk) => output.push(chunk));
    child.stderr.on("data", (chunk) => output.push(chunk));
    child.once("error", (error) => resolve({ ok: false, output: `cannot run ${command}: ${error.message}\n` }));
    child.once("close", (code, signal) => {
      const text = Buffer.concat(output).toString();
      resolve({ ok: code === 0, output: code === 0 ? text : `${text}\n${command} exited with ${code ?? signal}\n` });
    });
  });
}

/** Runs a lane's steps in order; prints its output when it ends; resolves to its report line. */
async function runLane(name, steps) {
  const started = Date.now();
  let ok = true;
  let output = "";
  for (const [command, args] of steps) {
    const step = await runStep(command, args);
    output += step.output;
    if (!step.ok) {
      ok = false;
      break;
    }
  }
  const took = seconds(Date.now() - started);
  process.stdout.write(`\n===== ${name} (${ok ? "passed" : "FAILED"}, ${took}) =====\n${output}`);
  return { name, ok, took };
}

// Ctrl-C reaches every lane's processes through the terminal; stop here too, without a report.
process.once("SIGINT", () => process.exit(130));

const started = Date.now();
say(PHASES.map((lanes) => `${Object.keys(lanes).join(", ")} side by side`).join(", then "));
const reports = [];
for (const lanes of PHASES) {
  reports.push(...(await Promise.all(Object.entries(lanes).map(([name, steps]) => runLane(name, steps)))));
}

console.log("");
for (const { name, ok, took } of reports) console.log(`${ok ? "passed" : "FAILED"}  ${name.padEnd(7)} ${took}`);
console.log(`all checks: ${seconds(Date.now() - started)}`);
process.exitCode = reports.every((report) => report.ok) ? 0 : 1;
