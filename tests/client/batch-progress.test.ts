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

  it("names each file's detected language when its result says it", () => {
    const lines: string[] = [];
    const progress = new BatchProgress(2, { isTTY: false, write: (line: string) => lines.push(line) > 0 });
    progress.succeeded("de.wav", 90, 12, 0, "de (probability 0.98)");
    progress.succeeded("notes.wav", 3, 1);
    assert.deepEqual(lines, [
      "[1/2] done de.wav (1m30s audio, 12.0 s, language de (probability 0.98))\n",
      "[2/2] done notes.wav (3.0 s audio, 1.0 s)\n",
    ]);
  });

  it("counts files when the sizes are unknown", () => {
    let clock = 0;
    const progress = new BatchProgress(4, quiet, 0, () => clock);
    progress.failedWith("a.wav", "bad");
    clock = 5_000;
    assert.match(progress.summary(), /ETA 15\.0 s$/);
  });
});
