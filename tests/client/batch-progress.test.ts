import assert from "node:assert/strict";
import { BatchProgress } from "../../scripts/client/batch-progress";

describe("batch progress", () => {
  const quiet = { isTTY: false, write: () => true };

  it("estimates the time left by the size of the files left, not their number", () => {
    let clock = 0;
    // Nine 100 KB clips and one 9 MB recording: after the clips (10 s), the recording is ten times their total.
    const progress = new BatchProgress(10, quiet, 9 * 100_000 + 9_000_000, () => clock);
    for (let i = 0; i < 9; i++) progress.succeeded(`clip${i}.wav`, 3, 1, 100_000);
    clock = 10_000;
    assert.match(progress.summary(), /^9\/10 finished, 9 done, 0 failed, 27\.0 s audio, ETA 1m40s$/);
  });

  it("counts files when the sizes are unknown", () => {
    let clock = 0;
    const progress = new BatchProgress(4, quiet, 0, () => clock);
    progress.failedWith("a.wav", "bad");
    clock = 5_000;
    assert.match(progress.summary(), /ETA 15\.0 s$/);
  });
});
