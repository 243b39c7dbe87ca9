/** The small pure pieces of package-model: hashing, verification, model file selection, paging, messages. */
import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { explainHubError, nextPageUrl } from "../../scripts/package-model/hub-source";
import { VerifyingStream, gitBlobOid } from "../../scripts/package-model/integrity";
import { manifestKeyFor } from "../../scripts/package-model/manifest";
import { isModelFile } from "../../scripts/package-model/model-files";
import type { ModelFile } from "../../scripts/package-model/source";
import { TransferProgress } from "../../scripts/cli-kit/progress";
import { sha256Hex } from "./fake-hub";

async function verify(file: ModelFile, content: Buffer): Promise<VerifyingStream> {
  const verifier = new VerifyingStream(file);
  await pipeline(Readable.from([content.subarray(0, 3), content.subarray(3)]), verifier, async (chunks) => {
    for await (const chunk of chunks) void chunk;
  });
  return verifier;
}

describe("package-model building blocks", () => {
  it("computes git blob ids as git does (`git hash-object` of 'hello\\n')", () => {
    assert.equal(gitBlobOid(Buffer.from("hello\n")), "ce013625030ba8dba906f756967f9e9ca394464a");
  });

  it("VerifyingStream passes matching content and reports its sha256", async () => {
    const content = Buffer.from("model weights");
    const verifier = await verify({ path: "m", size: content.length, sha256: sha256Hex(content) }, content);
    assert.equal(verifier.sha256, sha256Hex(content));
    const byGit = await verify({ path: "g", size: content.length, gitBlobOid: gitBlobOid(content) }, content);
    assert.equal(byGit.sha256, sha256Hex(content));
  });

  it("VerifyingStream fails short, long and altered content before the stream ends", async () => {
    const content = Buffer.from("model weights");
    const file = { path: "m.bin", size: content.length, sha256: sha256Hex(content) };
    await assert.rejects(verify(file, content.subarray(1)), /m\.bin: got 12 bytes, expected 13/);
    await assert.rejects(verify(file, Buffer.concat([content, Buffer.from("!")])), /more than the expected 13 bytes/);
    await assert.rejects(verify(file, Buffer.from("model weightS")), /got sha256 [0-9a-f]{64}, expected/);
    assert.throws(() => new VerifyingStream({ path: "x", size: 1 }), /neither a sha256 nor a git blob id/);
  });

  it("selects exactly the files faster-whisper loads", () => {
    const repo = ["model.bin", "config.json", "tokenizer.json", "vocabulary.txt", "vocabulary.json"];
    const extras = ["preprocessor_config.json"];
    for (const path of [...repo, ...extras]) assert.ok(isModelFile(path), path);
    for (const path of ["README.md", ".gitattributes", "model.safetensors", "vocabulary.txt.bak", "sub/model.bin"]) {
      assert.ok(!isModelFile(path), path);
    }
  });

  it("follows RFC 8288 next links as the hub sends them", () => {
    const current = "https://hub.example/api/models/a/b/tree/c";
    assert.equal(
      nextPageUrl('<https://hub.example/api/models/a/b/tree/c?cursor=xyz>; rel="next"', current),
      "https://hub.example/api/models/a/b/tree/c?cursor=xyz",
    );
    assert.equal(
      nextPageUrl('</x?cursor=2>; rel="prev", </x?cursor=4>; rel="next"', current),
      "https://hub.example/x?cursor=4",
    );
    assert.equal(nextPageUrl('</x?cursor=2>; rel="prev"', current), undefined);
    assert.equal(nextPageUrl(null, current), undefined);
  });

  it("explains gated repositories and unknown failures", () => {
    const gated = new Response(null, { status: 403, headers: { "x-error-code": "GatedRepo" } });
    assert.match(
      explainHubError(gated, "org/m", "r", true),
      /access to org\/m denied .*accept the model's terms.*HF_TOKEN is set/,
    );
    const server = new Response(null, { status: 502 });
    assert.equal(explainHubError(server, "org/m", "r", false), "the hub answered HTTP 502");
  });

  it("keeps the manifest next to the model prefix, not inside it", () => {
    assert.equal(manifestKeyFor("models/org/m/abc/"), "models/org/m/abc.manifest.json");
  });

  it("throttles progress lines to one per interval and ends with a rate", () => {
    const lines: string[] = [];
    let now = 0;
    const progress = new TransferProgress(
      (line) => lines.push(line),
      "model.bin",
      4_000_000,
      1000,
      () => now,
    );
    now = 500;
    progress.update(1_000_000);
    now = 1000;
    progress.update(2_000_000);
    now = 1500;
    progress.update(3_000_000);
    now = 2000;
    progress.finish("uploaded");
    assert.deepEqual(lines, [
      "model.bin: 50.0% 2.0 MB of 4.0 MB, 2.0 MB/s",
      "uploaded model.bin: 4.0 MB in 2.0 s, 2.0 MB/s",
    ]);
  });
});
