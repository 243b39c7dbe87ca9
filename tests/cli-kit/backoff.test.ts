import assert from "node:assert/strict";
import { backoffDelay, waitFor } from "../../clients/typescript/src/backoff";
import { WaitTimeoutError } from "../../clients/typescript/src/errors";

/** A fake clock: sleeping advances time instantly and records each pause. */
function fakeClock() {
  let time = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => time,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      time += ms;
    },
  };
}

describe("waitFor (backoff with jitter and a deadline)", () => {
  it("returns the first defined value, pausing with growing, capped delays", async () => {
    const clock = fakeClock();
    let calls = 0;
    const value = await waitFor(async () => (++calls === 6 ? "ready" : undefined), {
      timeoutMs: 600_000,
      minDelayMs: 1000,
      maxDelayMs: 5000,
      random: () => 1, // the top of each jitter range
      ...clock,
    });
    assert.equal(value, "ready");
    assert.deepEqual(clock.sleeps, [1000, 2000, 4000, 5000, 5000]);
  });

  it("jitters between the minimum and the ceiling", () => {
    assert.equal(
      backoffDelay(3, 1000, 10_000, () => 0),
      1000,
    );
    assert.equal(
      backoffDelay(3, 1000, 10_000, () => 0.5),
      2500,
    );
    assert.equal(backoffDelay(10, 1000, 10_000, () => 0.999999) <= 10_000, true);
  });

  it("checks once more at the deadline, then throws WaitTimeoutError with the given message", async () => {
    const clock = fakeClock();
    const checkedAt: number[] = [];
    await assert.rejects(
      waitFor(
        async () => {
          checkedAt.push(clock.now());
          return undefined;
        },
        { timeoutMs: 2500, minDelayMs: 1000, maxDelayMs: 1000, timeoutMessage: () => "still nothing", ...clock },
      ),
      (error: unknown) => error instanceof WaitTimeoutError && error.message === "still nothing",
    );
    assert.deepEqual(checkedAt, [0, 1000, 2000, 2500]);
  });

  it("lets errors from the check through at once (only 'not yet' is retried)", async () => {
    const clock = fakeClock();
    await assert.rejects(
      waitFor(
        async () => {
          throw new Error("AccessDenied");
        },
        { timeoutMs: 60_000, ...clock },
      ),
      /AccessDenied/,
    );
    assert.deepEqual(clock.sleeps, []);
  });
});
