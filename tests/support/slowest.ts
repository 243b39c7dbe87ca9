/**
 * A mocha root-hook plugin (.mocharc.json `require`): after the run, lists the ten slowest tests with their times,
 * as pytest's --durations does, and the five test files that cost the most CPU, so a test that grows slow or
 * costly is seen where the suite's time goes.
 *
 * A file's CPU is what this process and its child processes used from the end of the previous test to the end of
 * each of the file's tests (so its `before` hooks count; its `after` hooks count for the next file). A child process
 * counts when it has ended and been waited for (Linux's cutime/cstime); a server a file keeps running through its
 * tests counts for the test during which it stops. Where /proc is missing, only this process counts.
 */
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import type { Context } from "mocha";

const SHOWN_TESTS = 10;
const SHOWN_FILES = 5;
const CLOCK_TICKS_PER_SECOND = 100;
const durations: { title: string; ms: number }[] = [];
const cpuByFile = new Map<string, number>();

/** CPU seconds of this process and of its ended, waited-for child processes. */
function cpuSeconds(): number {
  const own = process.cpuUsage();
  let children = 0;
  try {
    // Fields after the command name: state is the 1st, cutime and cstime the 14th and 15th.
    const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1].split(" ");
    children = (Number(fields[13]) + Number(fields[14])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    // not Linux: this process only
  }
  return (own.user + own.system) / 1e6 + children;
}

let cpuAtLastTest = cpuSeconds();

export const mochaHooks = {
  afterEach(this: Context) {
    const test = this.currentTest;
    if (test?.duration !== undefined) durations.push({ title: test.fullTitle(), ms: test.duration });
    const now = cpuSeconds();
    const file = test?.file ? relative(process.cwd(), test.file) : "(no file)";
    cpuByFile.set(file, (cpuByFile.get(file) ?? 0) + now - cpuAtLastTest);
    cpuAtLastTest = now;
  },
  afterAll() {
    const slowest = [...durations].sort((a, b) => b.ms - a.ms).slice(0, SHOWN_TESTS);
    if (slowest.length === 0) return;
    console.log(`\n  slowest ${slowest.length} tests:`);
    for (const { title, ms } of slowest) console.log(`  ${(ms / 1000).toFixed(2).padStart(7)} s  ${title}`);
    const costliest = [...cpuByFile].sort((a, b) => b[1] - a[1]).slice(0, SHOWN_FILES);
    console.log(`\n  most CPU (this process and its ended child processes), ${cpuSeconds().toFixed(0)} s in all:`);
    for (const [file, seconds] of costliest) console.log(`  ${seconds.toFixed(1).padStart(7)} s  ${file}`);
  },
};
