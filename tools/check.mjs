#!/usr/bin/env node
// `npm run check` (what `npm test` runs after bootstrap): every check, in lanes that run side by side.
//   slow     inference/tests marked `slow`: real `serve` processes that time /ping while minutes of audio decode;
//            it runs at this run's priority and every other lane 10 steps lower (BACKGROUND_NICENESS), so
//            the other lanes' load takes only the CPU the slow cases leave and their timings keep their meaning
//   static   typecheck, then lint (tsc, ESLint, Prettier, ruff), one process at a time
//   mocha    the TypeScript tests
//   pytest   inference/tests without the `slow` cases and without the modules below, then clients/python/tests
//   speech   the pytest modules that decode the most speech (HEAVY_PYTEST_MODULES), not `slow`
// The checks are CPU-bound (about 10 CPU-minutes on 2026-12-07), so the run takes as long as its CPU divided by the
// cores, as long as every lane has work until the end: mocha spends much of its time waiting on child processes (the
// CLIs, moto, the local server), and pytest is one process on one core, so its heaviest modules run as a lane of their
// own (each lane pays its own session fixtures: a model load, a server, seconds). Until 2026-12-07 the slow cases ran
// first with only the static checks beside them, which left one core of two idle for most of a minute. Each lane's
// output is kept and printed whole when the lane ends (never interleaved), then one line per lane with its time; the
// slowest tests of each runner are listed by the runner itself (pytest --durations, mocha's tests/support/slowest.ts,
// which also names the test files that cost the most CPU). The exit code is 1 if any lane failed.
import { Buffer } from "node:buffer";
import { spawn } from "node:child_process";
import { getPriority, setPriority } from "node:os";
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

/** How much lower than this run's own priority every lane but `slow` runs (niceness; 19 is the lowest): a busy process
 * 10 steps lower gets about a tenth of a core that the other also wants (Linux's CFS weights 110 and 1024). */
const BACKGROUND_NICENESS = 10;
const background = Math.min(19, getPriority() + BACKGROUND_NICENESS);

/** The environment of every lane but `slow`: one OpenMP thread (numpy's OpenBLAS reads it too; both start a thread
 * per core otherwise, and OpenMP's threads spin while they wait for work). Four lanes share two cores, so a second
 * thread in each process only contends with the other lanes: measured 2026-12-08 on the 2-core machine under load,
 * two decoding modules run alone used 12-24% less CPU with one thread and ended sooner (across the whole suite the gain
 * was within the VM's hour-to-hour spread). That was before the server set CTranslate2's threads itself (since then
 * `WHISPER_CPU_THREADS=0` shares the cores out among its `WHISPER_PARALLEL_BATCHES` replicas, one thread each on two
 * cores, whatever this says). Decoding is the same with one thread or more (the tests compare exact text). The `slow`
 * lane keeps the defaults, as a user's server runs. */
const BACKGROUND_ENV = { ...process.env, OMP_NUM_THREADS: "1" };

/** The lanes, side by side; in a lane, its steps one after another (a failed step ends the lane). */
const LANES = {
  slow: {
    niceness: undefined,
    env: process.env,
    steps: [[python, ["-m", "pytest", "-q", SLOWEST, "-m", "slow", "inference/tests"]]],
  },
  static: {
    niceness: background,
    env: BACKGROUND_ENV,
    steps: [
      ["npm", ["run", "--silent", "typecheck"]],
      ["npm", ["run", "--silent", "lint"]],
    ],
  },
  mocha: { niceness: background, env: BACKGROUND_ENV, steps: [["npm", ["run", "--silent", "test:ts"]]] },
  pytest: {
    niceness: background,
    env: BACKGROUND_ENV,
    steps: [
      [python, [...FAST_PYTEST, ...HEAVY_PYTEST_MODULES.map((path) => `--ignore=${path}`), "inference/tests"]],
      [python, ["-m", "pytest", "-q", SLOWEST, "clients/python/tests"]],
    ],
  },
  speech: { niceness: background, env: BACKGROUND_ENV, steps: [[python, [...FAST_PYTEST, ...HEAVY_PYTEST_MODULES]]] },
};

const say = (line) => console.error(`check: ${line}`);
const seconds = (ms) => {
  const total = Math.round(ms / 1000);
  return total < 60 ? `${total} s` : `${Math.floor(total / 60)} min ${total % 60} s`;
};

/** Runs one step with its output kept in memory (stdout and stderr in the order they came), at `niceness` if given
 * (set the moment it has started, before its first child in practice; inherited by everything it starts). */
function runStep(command, args, niceness, env) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"], env });
    if (niceness !== undefined && child.pid !== undefined) lowerPriority(child.pid, niceness);
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

/** Lowers a process's priority; where that is not allowed (or the process has already ended), it runs as it is. */
function lowerPriority(pid, niceness) {
  try {
    setPriority(pid, niceness);
  } catch {
    // a missed priority only makes the slow cases' timings share the CPU, as they did before
  }
}

/** Runs a lane's steps in order; prints its output when it ends; resolves to its report line. */
async function runLane(name, { niceness, env, steps }) {
  const started = Date.now();
  let ok = true;
  let output = "";
  for (const [command, args] of steps) {
    const step = await runStep(command, args, niceness, env);
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
say(`${Object.keys(LANES).join(", ")} side by side; all but slow at niceness ${background}`);
const reports = await Promise.all(Object.entries(LANES).map(([name, lane]) => runLane(name, lane)));

console.log("");
for (const { name, ok, took } of reports) console.log(`${ok ? "passed" : "FAILED"}  ${name.padEnd(7)} ${took}`);
console.log(`all checks: ${seconds(Date.now() - started)}`);
process.exitCode = reports.every((report) => report.ok) ? 0 : 1;
