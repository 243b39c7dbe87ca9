/**
 * package-model --diarization: the pinned speaker-diarization models go into `diarization/` of the model
 * prefix, verified against their pinned size and sha256, idempotently, through the same hub and S3 code as
 * the Whisper files (fake hub and moto S3 on 127.0.0.1).
 *
 * The real pins name files on the real hub, which cannot be reached here: the upload tests pin files of the
 * fake hub instead, and a last test checks the real pins' shape and that their paths are the ones the server
 * reads. What this cannot prove: that the pinned sha256 values match what the hub serves today (package-model
 * refuses the files if they do not).
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { S3Client } from "@aws-sdk/client-s3";
import {
  DIARIZATION_DIR,
  DIARIZATION_MODELS,
  withDiarizationModels,
  type PinnedHubFile,
} from "../../scripts/package-model/diarization-models";
import { IntegrityError } from "../../scripts/package-model/errors";
import { openHubSource } from "../../scripts/package-model/hub-source";
import { parseCliOptions } from "../../scripts/package-model/options";
import { packageModel } from "../../scripts/package-model/package";
import { repoRoot, startMoto, type MotoServer } from "../support/moto";
import { sha256Hex, startFakeHub, type FakeHub, type FakeHubFile } from "./fake-hub";
import {
  BUCKET,
  MANIFEST_KEY,
  MODEL_PATHS,
  MODEL_PREFIX,
  REPO,
  REVISION,
  createVersionedBucket,
  listKeys,
  readObject,
  s3ClientFor,
  whisperRepoFiles,
} from "./helpers";

describe("package-model --diarization (fake hub, moto S3)", function () {
  this.timeout(60_000);
  let moto: MotoServer;
  let s3: S3Client;
  let hub: FakeHub;
  const segmentation: FakeHubFile = { path: "sherpa/model.onnx", content: randomBytes(300_000), lfs: true };
  const embedding: FakeHubFile = { path: "sherpa/campplus.onnx", content: randomBytes(200_000), lfs: true };
  const pin = (file: FakeHubFile, name: string): PinnedHubFile => ({
    path: `${DIARIZATION_DIR}/${name}`,
    repo: REPO,
    revision: REVISION,
    remotePath: file.path,
    size: file.content.length,
    sha256: sha256Hex(file.content),
  });
  const pins = [pin(segmentation, "segmentation.onnx"), pin(embedding, "embedding.onnx")];
  const diarizationKeys = pins.map((p) => MODEL_PREFIX + p.path);

  before(async () => {
    moto = await startMoto();
    s3 = s3ClientFor(moto);
  });
  after(async () => moto?.stop());
  beforeEach(async () => {
    await moto.reset();
    await createVersionedBucket(s3);
    hub = await startFakeHub({
      repo: REPO,
      revision: REVISION,
      files: [...whisperRepoFiles(), segmentation, embedding],
    });
  });
  afterEach(async () => hub?.stop());

  const run = async (models: readonly PinnedHubFile[] = pins) => {
    const connection = { endpoint: hub.endpoint };
    const source = withDiarizationModels(await openHubSource(connection, REPO, REVISION), connection, models);
    const lines: string[] = [];
    const result = await packageModel({
      source,
      s3,
      bucket: BUCKET,
      prefix: "models/",
      tuning: { partSizeBytes: 5 * 1024 * 1024, queueSize: 2 },
      log: (line) => lines.push(line),
    });
    return { result, lines };
  };

  it("puts both models in diarization/ of the model prefix, listed in the manifest; a re-run uploads nothing", async () => {
    const { result } = await run();
    assert.deepEqual(
      await listKeys(s3),
      [MANIFEST_KEY, ...MODEL_PATHS.map((path) => MODEL_PREFIX + path), ...diarizationKeys].sort(),
    );
    assert.ok((await readObject(s3, diarizationKeys[0])).equals(segmentation.content));
    assert.ok((await readObject(s3, diarizationKeys[1])).equals(embedding.content));
    const manifest = JSON.parse((await readObject(s3, MANIFEST_KEY)).toString());
    assert.deepEqual(
      manifest.files.filter((file: { path: string }) => file.path.startsWith(`${DIARIZATION_DIR}/`)),
      pins.map((p) => ({ path: p.path, size: p.size, sha256: p.sha256 })).sort((a, b) => a.path.localeCompare(b.path)),
    );
    assert.ok(result.uploaded.includes(pins[0].path) && result.uploaded.includes(pins[1].path));

    const again = await run();
    assert.deepEqual(again.result.uploaded, []);
    assert.equal(again.result.manifestWritten, false);
    assert.equal(hub.contentRequests(segmentation.path), 1, "downloaded once over both runs");
  });

  it("adds the models to a prefix packaged without them", async () => {
    const connection = { endpoint: hub.endpoint };
    await packageModel({
      source: await openHubSource(connection, REPO, REVISION),
      s3,
      bucket: BUCKET,
      prefix: "models/",
      tuning: { partSizeBytes: 5 * 1024 * 1024, queueSize: 2 },
      log: () => undefined,
    });
    const { result } = await run();
    assert.deepEqual([...result.uploaded].sort(), pins.map((p) => p.path).sort());
    assert.equal(result.skipped.length, MODEL_PATHS.length);
    assert.equal(result.manifestWritten, true);
  });

  it("refuses a model whose bytes differ from the pin: no object, no manifest", async () => {
    hub.corrupt.add(embedding.path);
    await assert.rejects(run(), IntegrityError);
    const keys = await listKeys(s3);
    assert.ok(!keys.includes(diarizationKeys[1]), "the altered file is not an object");
    assert.ok(!keys.includes(MANIFEST_KEY), "the prefix is not marked complete");

    const wrongPin = { ...pins[0], sha256: "0".repeat(64) };
    await assert.rejects(run([wrongPin, pins[1]]), IntegrityError);
  });

  it("is off unless --diarization is given", () => {
    const base = ["--repo", REPO, "--revision", REVISION, "--bucket", BUCKET];
    const off = parseCliOptions(base, {});
    const on = parseCliOptions([...base, "--diarization"], {});
    assert.ok(off !== "help" && !off.diarization);
    assert.ok(on !== "help" && on.diarization);
  });

  it("pins full commits and sha256 values, at the paths the server reads", () => {
    const server = readFileSync(join(repoRoot, "inference", "whisper_server", "diarizer.py"), "utf8");
    const serverFiles = [...server.matchAll(/^(?:SEGMENTATION|EMBEDDING)_FILE = "([^"]+)"$/gm)].map((m) => m[1]);
    assert.deepEqual(
      DIARIZATION_MODELS.map((model) => model.path),
      serverFiles.map((name) => `${DIARIZATION_DIR}/${name}`),
    );
    const settings = readFileSync(join(repoRoot, "inference", "whisper_server", "settings.py"), "utf8");
    assert.match(settings, new RegExp(`Path\\(self\\.model_dir\\) / "${DIARIZATION_DIR}"`));
    for (const model of DIARIZATION_MODELS) {
      assert.match(model.revision, /^[0-9a-f]{40}$/);
      assert.match(model.sha256, /^[0-9a-f]{64}$/);
      assert.ok(model.size > 1_000_000, `${model.path} is a real model, not a pointer`);
    }
  });
});
