/**
 * A mocha root-hook plugin (.mocharc.json `require`): after the run, lists the ten slowest tests with their times,
 * as pytest's --durations does, so a test that grows slow is seen where the suite's time goes.
 */
import type { Context } from "mocha";

const SHOWN = 10;
const durations: { title: string; ms: number }[] = [];

export const mochaHooks = {
  afterEach(this: Context) {
    const test = this.currentTest;
    if (test?.duration !== undefined) durations.push({ title: test.fullTitle(), ms: test.duration });
  },
  afterAll() {
    const slowest = [...durations].sort((a, b) => b.ms - a.ms).slice(0, SHOWN);
    if (slowest.length === 0) return;
    console.log(`\n  slowest ${slowest.length} tests:`);
    for (const { title, ms } of slowest) console.log(`  ${(ms / 1000).toFixed(2).padStart(7)} s  ${title}`);
  },
};
