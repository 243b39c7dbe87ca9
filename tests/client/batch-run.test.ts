import assert from "node:assert/strict";
import { appendFile, mkdtemp, readdir, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { JobResult, Transcriber } from "../../clients/typescript/src/job";
import { DEFAULT_TIMEOUT_SECONDS, type TranscriptionOptions } from "../../clients/typescript/src/options";
import type { BatchItem } from "../../scripts/client/batch-plan";
import { BatchProgress } from "../../scripts/client/batch-progress";
import { runBatch, type ResultWriter } from "../../scripts/client/batch-run";
import { settledSources } from "../../scripts/client/source-state";
import { writeFileAtomic } from "../../scripts/client/atomic-write";

const options = { format: "txt", timeoutSeconds: DEFAULT_TIMEOUT_SECONDS } as unknown as TranscriptionOptions;
const quiet = (todo: number, bytes: number) => new BatchProgress(todo, { isTTY: false, write: () => true }, bytes);

/** A transcriber that answers each file's first bytes, after `during(file)` ran (the job's time). */
function fakeTranscriber(during: (file: string) => Promise<void> = async () => {}): Transcriber & { sent: string[] } {
  const sent: string[] = [];
  return {
    description: "fake",
    sent,
    async transcribe(file: string): Promise<JobResult> {
      sent.push(file);
      await during(file);
      return { body: `text of ${file}`, format: "txt", timings: [], jobSeconds: 0 };
    },
  };
}

describe("batch run: sources that change, outputs that cannot take results", () => {
  let dir: string;
  const items: BatchItem[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "batch-run-"));
    items.length = 0;
    for (let i = 0; i < 6; i++) {
      const source = join(dir, `in${i}.wav`);
      await writeFile(source, Buffer.alloc(1000, i));
      await utimes(source, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
      items.push({ source, output: join(dir, "out", `in${i}.txt`), displayName: `in${i}.wav` });
    }
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("fails a file that grows while it is transcribed, writes nothing for it, and a re-run sends it", async () => {
    const recorder = fakeTranscriber(async (file) => {
      if (file === items[1].source) await appendFile(file, Buffer.alloc(500));
    });
    const first = await runBatch(items.slice(0, 3), recorder, options, 1, quiet);
    assert.equal(first.done, 2);
    assert.equal(first.failures.length, 1);
    assert.equal(first.failures[0].item, items[1]);
    assert.match(
      first.failures[0].message,
      /changed while it was read or transcribed \(it went from 1000 to 1500 bytes/,
    );
    assert.deepEqual((await readdir(join(dir, "out"))).sort(), ["in0.txt", "in2.txt"]);

    const again = fakeTranscriber();
    const second = await runBatch(items.slice(0, 3), again, options, 1, quiet);
    assert.deepEqual(again.sent, [items[1].source]);
    assert.equal(second.done, 1);
  });

  it("fails a file rewritten to the same size while it is transcribed", async () => {
    const rewriter = fakeTranscriber(async (file) => {
      await writeFile(file, Buffer.alloc(1000, 9));
      await utimes(file, new Date(), new Date());
    });
    const outcome = await runBatch(items.slice(0, 1), rewriter, options, 1, quiet);
    assert.equal(outcome.done, 0);
    assert.match(outcome.failures[0].message, /it was modified/);
  });

  for (const code of ["ENOSPC", "EROFS", "EDQUOT", "EACCES"]) {
    it(`stops sending files once a result cannot be written (${code}), and says why`, async () => {
      const transcriber = fakeTranscriber(() => new Promise((resolve) => setTimeout(resolve, 5)));
      let writes = 0;
      const failingAfterTwo: ResultWriter = async (path, content) => {
        if (++writes > 2) throw Object.assign(new Error(`${code}: cannot write ${path}`), { code });
        await writeFileAtomic(path, content);
      };
      const outcome = await runBatch(items, transcriber, options, 2, quiet, failingAfterTwo);
      assert.match(outcome.stoppedBecause ?? "", new RegExp(`\\(${code}\\)$`));
      // Two written; the third fails and stops the run; the file in flight beside it ends, nothing else is sent.
      assert.equal(outcome.done, 2);
      assert.ok(transcriber.sent.length <= 4, `${transcriber.sent.length} sent`);
      assert.equal(outcome.notSent, items.length - transcriber.sent.length);
      assert.ok(outcome.notSent >= 2);
      const written = await readdir(join(dir, "out"));
      assert.deepEqual(written.sort(), ["in0.txt", "in1.txt"], "no partial or temp file is left");
    });
  }

  it("keeps going after a write error that concerns one file only", async () => {
    let writes = 0;
    const oneBadName: ResultWriter = async (path, content) => {
      if (++writes === 1) throw Object.assign(new Error("name too long"), { code: "ENAMETOOLONG" });
      await writeFileAtomic(path, content);
    };
    const outcome = await runBatch(items, fakeTranscriber(), options, 1, quiet, oneBadName);
    assert.equal(outcome.stoppedBecause, undefined);
    assert.equal(outcome.done, items.length - 1);
  });

  it("leaves out files modified less than --min-age seconds ago", async () => {
    await utimes(items[2].source, new Date(), new Date());
    const { settled, recent } = await settledSources(items, 5);
    assert.deepEqual(
      recent.map(({ item }) => item),
      [items[2]],
    );
    assert.ok(recent[0].secondsAgo < 5);
    assert.equal(settled.length, items.length - 1);
    assert.equal((await settledSources(items, 0)).settled.length, items.length);
  });
});
