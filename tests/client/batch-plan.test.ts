import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { tempNameFor, writeFileAtomic } from "../../scripts/client/atomic-write";
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
    (await planBatch(inputs, join(root, "out"), format)).items.map((item) => relative(join(root, "out"), item.output));

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

  it("writes a result whose name is 250 bytes, the temp name no longer than it", async () => {
    const name = `${"n".repeat(245)}.json`;
    const target = join(root, "out", name);
    await writeFileAtomic(target, "long");
    assert.deepEqual(await readdir(join(root, "out")), [name]);
    for (const result of [name, "a.txt", `${"é".repeat(120)}.json`]) {
      const temp = tempNameFor(result);
      assert.ok(Buffer.byteLength(temp) <= Math.max(Buffer.byteLength(result), 48), `${temp} for ${result}`);
      assert.match(temp, /^\..*\.[0-9a-f]{12}\.partial$/);
    }
  });

  describe("symbolic links in walked directories", () => {
    const plan = (inputs: string[]) => planBatch(inputs, join(root, "out"), "json");

    it("follows a linked file and a linked directory, each real file once, and reports the second paths", async () => {
      await mkdir(join(root, "elsewhere"));
      await writeFile(join(root, "elsewhere", "far.ogg"), "");
      await symlink(join(root, "elsewhere", "far.ogg"), join(root, "in", "b", "linked.ogg"));
      await symlink(join(root, "elsewhere"), join(root, "in", "far-dir"));
      await symlink(join(root, "in", "a", "talk.wav"), join(root, "in", "b", "again.wav"));
      const { items, skipped } = await plan([join(root, "in")]);
      assert.deepEqual(
        items.map((item) => item.displayName),
        ["a/talk.mp3", "a/talk.wav", "b/linked.ogg", "b/talk.m4a"],
      );
      assert.deepEqual(skipped, [
        { path: "b/again.wav", reason: "the same file as a/talk.wav" },
        { path: "far-dir/far.ogg", reason: "the same file as b/linked.ogg" },
      ]);
    });

    it("walks a directory linked from its own parent under its real name", async () => {
      await symlink(join(root, "in", "b"), join(root, "in", "a-link"));
      const { items, skipped } = await plan([join(root, "in")]);
      assert.deepEqual(
        items.map((item) => item.displayName),
        ["a/talk.mp3", "a/talk.wav", "b/talk.m4a"],
      );
      assert.deepEqual(skipped, [{ path: "a-link", reason: "walked already as b" }]);
    });

    it("walks a directory loop once and reports the link that closes it, and a broken link", async () => {
      await symlink(join(root, "in"), join(root, "in", "a", "up"));
      await symlink(join(root, "missing.wav"), join(root, "in", "b", "gone.wav"));
      const { items, skipped } = await plan([join(root, "in")]);
      assert.equal(items.length, 3);
      assert.deepEqual(skipped, [
        { path: "a/up", reason: `walked already as ${join(root, "in")}` },
        { path: "b/gone.wav", reason: "a broken symbolic link" },
      ]);
    });
  });
});
