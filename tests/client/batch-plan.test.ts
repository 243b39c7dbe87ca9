import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { writeFileAtomic } from "../../scripts/client/atomic-write";
import { commonParent, planBatch } from "../../scripts/client/batch-plan";

describe("batch planning and result files", () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), "plan-"));
    for (const file of ["in/a/talk.wav", "in/a/talk.mp3", "in/b/talk.m4a", "in/b/notes.txt", "in/.cache/x.wav"]) {
      await mkdir(join(root, file, ".."), { recursive: true });
      await writeFile(join(root, file), "");
    }
  });
  afterEach(async () => rm(root, { recursive: true, force: true }));

  const outputs = async (inputs: string[], format: "json" | "srt" = "json") =>
    (await planBatch(inputs, join(root, "out"), format)).map((item) => relative(join(root, "out"), item.output));

  it("mirrors paths below the inputs' common parent, skipping hidden and non-media files", async () => {
    assert.deepEqual(await outputs([join(root, "in")], "srt"), ["a/talk.mp3.srt", "a/talk.wav.srt", "b/talk.srt"]);
    assert.deepEqual(await outputs([join(root, "in", "b")]), ["talk.json"]);
    assert.deepEqual(await outputs([join(root, "in", "a", "talk.wav"), join(root, "in", "b", "talk.m4a")]), [
      "a/talk.json",
      "b/talk.json",
    ]);
  });

  it("takes an explicitly named file whatever its extension, once even if named twice", async () => {
    const notes = join(root, "in", "b", "notes.txt");
    assert.deepEqual(await outputs([notes, notes]), ["notes.json"]);
  });

  it("finds the deepest common directory", () => {
    assert.equal(commonParent(["/x/y/z", "/x/y", "/x/y/w"]), "/x/y");
    assert.equal(commonParent(["/x", "/y"]), "/");
  });

  it("writes results atomically, leaving no temp file behind", async () => {
    const target = join(root, "out", "deep", "r.txt");
    await writeFileAtomic(target, "hello");
    await writeFileAtomic(target, "hello again");
    assert.deepEqual(await readdir(join(root, "out", "deep")), ["r.txt"]);
  });
});
