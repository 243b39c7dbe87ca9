/**
 * package-model end to end, as the Pulumi command resource runs it: the CLI as a child process, a fake
 * Hugging Face hub and moto S3 on 127.0.0.1, no flag or code path special to tests (the SDK finds moto
 * through AWS_ENDPOINT_URL and uses path-style addressing for the IP endpoint by itself).
 *
 * What this cannot prove: the real hub's CDN redirects and rate limits, and real S3's multipart limits
 * beyond what moto enforces (moto checks part sizes and ETags, not throughput or eventual quirks).
 */
import assert from "node:assert/strict";
import {
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { startMoto, type MotoServer } from "../support/moto";
import { sha256Hex, startFakeHub, type FakeHub, type FakeHubFile } from "./fake-hub";
import {
  BUCKET,
  MANIFEST_KEY,
  MODEL_PATHS,
  MODEL_PREFIX,
  REPO,
  REVISION,
  createVersionedBucket,
  hubArgs,
  listKeys,
  metadataOf,
  openMultipartUploads,
  readObject,
  runCli,
  s3ClientFor,
  startCli,
  whisperRepoFiles,
  writesPerKey,
} from "./helpers";

describe("package-model from a Hugging Face revision (CLI process, fake hub, moto S3)", function () {
  this.timeout(60_000);
  let moto: MotoServer;
  let s3: S3Client;
  let hub: FakeHub;
  let files: FakeHubFile[];

  before(async () => {
    moto = await startMoto();
    s3 = s3ClientFor(moto);
    files = whisperRepoFiles();
  });
  after(async () => moto?.stop());

  beforeEach(async () => {
    await moto.reset();
    await createVersionedBucket(s3);
    hub = await startFakeHub({ repo: REPO, revision: REVISION, files });
  });
  afterEach(async () => hub?.stop());

  const contentOf = (path: string) => (files.find((file) => file.path === path) as FakeHubFile).content;
  const hubEnv = () => ({ HF_ENDPOINT: hub.endpoint });

  it("streams the model files into the revision prefix, prints only the URI, and a re-run writes nothing", async () => {
    const first = await runCli(hubArgs(), moto, hubEnv());
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout, `s3://${BUCKET}/${MODEL_PREFIX}\n`);
    assert.deepEqual(
      await listKeys(s3),
      [MANIFEST_KEY, ...MODEL_PATHS.map((path) => MODEL_PREFIX + path)].sort(),
      "the model files and the manifest next to the prefix; README.md and .gitattributes left out",
    );
    for (const path of MODEL_PATHS) {
      const stored = await readObject(s3, MODEL_PREFIX + path);
      assert.ok(stored.equals(contentOf(path)), `${path} content`);
      assert.equal((await metadataOf(s3, MODEL_PREFIX + path)).sha256, sha256Hex(contentOf(path)), `${path} sha256`);
    }
    const manifest = JSON.parse((await readObject(s3, MANIFEST_KEY)).toString());
    assert.deepEqual(manifest.source, { type: "huggingface", repo: REPO, revision: REVISION });
    assert.equal(manifest.uri, `s3://${BUCKET}/${MODEL_PREFIX}`);
    assert.deepEqual(
      manifest.files,
      MODEL_PATHS.map((path) => ({ path, size: contentOf(path).length, sha256: sha256Hex(contentOf(path)) })),
    );
    assert.match(first.stderr, /uploaded model\.bin: 12\.6 MB/);
    const modelBin = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: MODEL_PREFIX + "model.bin" }));
    assert.match(modelBin.ETag ?? "", /-3"$/, "model.bin went up as a three-part multipart upload");

    const second = await runCli(hubArgs(), moto, hubEnv());
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.stdout, first.stdout);
    assert.match(second.stderr, /0 uploaded, 5 already present/);
    const writes = await writesPerKey(s3);
    for (const key of Object.keys(writes)) assert.equal(writes[key], 1, `${key} written once over both runs`);
    for (const path of MODEL_PATHS) assert.equal(hub.contentRequests(path), 1, `${path} downloaded once`);
  });

  it("fails a corrupted download with exit 1, stores neither that file nor the manifest, then recovers", async () => {
    hub.corrupt.add("model.bin");
    const corrupted = await runCli(hubArgs(), moto, hubEnv());
    assert.equal(corrupted.code, 1, corrupted.stderr);
    assert.equal(corrupted.stdout, "");
    assert.match(corrupted.stderr, /integrity check failed for model\.bin: got sha256 [0-9a-f]{64}, expected/);
    const keys = await listKeys(s3);
    assert.ok(!keys.includes(MODEL_PREFIX + "model.bin"), "the corrupted file is not an object");
    assert.ok(!keys.includes(MANIFEST_KEY), "no manifest: the prefix is not marked complete");
    assert.deepEqual(await openMultipartUploads(s3), [], "the multipart upload was aborted, not left dangling");

    hub.corrupt.clear();
    const good = await runCli(hubArgs(), moto, hubEnv());
    assert.equal(good.code, 0, good.stderr);
    assert.ok((await readObject(s3, MODEL_PREFIX + "model.bin")).equals(contentOf("model.bin")));
    assert.ok((await listKeys(s3)).includes(MANIFEST_KEY));
  });

  it("verifies files kept in git (not LFS) by their git blob id", async () => {
    hub.corrupt.add("tokenizer.json");
    const corrupted = await runCli(hubArgs(), moto, hubEnv());
    assert.equal(corrupted.code, 1, corrupted.stderr);
    assert.match(
      corrupted.stderr,
      /integrity check failed for tokenizer\.json: got git blob id [0-9a-f]{40}, expected/,
    );
    const keys = await listKeys(s3);
    assert.ok(!keys.includes(MODEL_PREFIX + "tokenizer.json"));
    assert.ok(!keys.includes(MANIFEST_KEY));
  });

  it("resumes after an interrupted run: aborts the dangling multipart upload and uploads only what is missing", async () => {
    hub.dropAfter.set("model.bin", 7 * 1024 * 1024);
    const interrupted = await runCli(hubArgs(), moto, hubEnv());
    assert.equal(interrupted.code, 1);
    assert.match(interrupted.stderr, /reading model\.bin failed after \d+ of 12595257 bytes/);
    assert.ok(!(await listKeys(s3)).includes(MANIFEST_KEY));
    const smallFiles = MODEL_PATHS.filter((path) => path !== "model.bin");
    assert.deepEqual(await listKeys(s3, MODEL_PREFIX), smallFiles.map((path) => MODEL_PREFIX + path).sort());

    // What a killed process (no chance to abort) leaves behind: an open multipart upload with a part.
    const { UploadId } = await s3.send(
      new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: MODEL_PREFIX + "model.bin" }),
    );
    await s3.send(
      new UploadPartCommand({
        Bucket: BUCKET,
        Key: MODEL_PREFIX + "model.bin",
        UploadId,
        PartNumber: 1,
        Body: Buffer.alloc(5 * 1024 * 1024),
      }),
    );

    hub.dropAfter.clear();
    const resumed = await runCli(hubArgs(), moto, hubEnv());
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stderr, /aborted an unfinished multipart upload of .*model\.bin/);
    assert.match(resumed.stderr, /1 uploaded, 4 already present/);
    assert.deepEqual(await openMultipartUploads(s3), []);
    for (const path of smallFiles) assert.equal(hub.contentRequests(path), 1, `${path} not downloaded again`);
    const writes = await writesPerKey(s3, MODEL_PREFIX);
    for (const path of MODEL_PATHS) assert.equal(writes[MODEL_PREFIX + path], 1, `${path} written once`);
    assert.ok((await readObject(s3, MODEL_PREFIX + "model.bin")).equals(contentOf("model.bin")));
  });

  it("withdraws the manifest before repairing a damaged prefix, so a failed repair never looks complete", async () => {
    assert.equal((await runCli(hubArgs(), moto, hubEnv())).code, 0);
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: MODEL_PREFIX + "config.json", Body: "{}" }));
    hub.corrupt.add("config.json");
    const failedRepair = await runCli(hubArgs(), moto, hubEnv());
    assert.equal(failedRepair.code, 1);
    assert.match(failedRepair.stderr, /replace config\.json: the object in S3 does not match the source/);
    assert.ok(!(await listKeys(s3)).includes(MANIFEST_KEY), "the manifest is gone while config.json is wrong");

    hub.corrupt.clear();
    const repaired = await runCli(hubArgs(), moto, hubEnv());
    assert.equal(repaired.code, 0, repaired.stderr);
    assert.match(repaired.stderr, /1 uploaded, 4 already present/);
    assert.ok((await readObject(s3, MODEL_PREFIX + "config.json")).equals(contentOf("config.json")));
    assert.ok((await listKeys(s3)).includes(MANIFEST_KEY));
  });

  it("on SIGINT aborts the multipart upload in flight and exits 130", async () => {
    hub.stallAfter.set("model.bin", 7 * 1024 * 1024);
    const { child, done } = await startCli(hubArgs(), moto, hubEnv());
    const deadline = Date.now() + 20_000;
    while ((await openMultipartUploads(s3)).length === 0) {
      assert.ok(Date.now() < deadline, "the multipart upload of model.bin never started");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    child.kill("SIGINT");
    const run = await done;
    assert.equal(run.code, 130, run.stderr);
    assert.equal(run.stdout, "");
    assert.match(run.stderr, /SIGINT, aborting the upload in progress/);
    assert.deepEqual(await openMultipartUploads(s3), [], "no parts left behind");
    assert.ok(!(await listKeys(s3)).includes(MANIFEST_KEY));
  });

  it("explains a revision the hub does not know (404 RevisionNotFound) and uploads nothing", async () => {
    const missing = "0123456789abcdef0123456789abcdef01234567";
    const run = await runCli(hubArgs(missing), moto, hubEnv());
    assert.equal(run.code, 1);
    assert.equal(run.stdout, "");
    assert.match(run.stderr, new RegExp(`revision ${missing} not found in ${REPO} \\(HTTP 404 RevisionNotFound`));
    assert.match(run.stderr, /give a full 40-hex commit of this repository/);
    assert.deepEqual(await listKeys(s3), []);
  });

  it("fails clearly when the revision has no model.bin", async () => {
    await hub.stop();
    hub = await startFakeHub({ repo: REPO, revision: REVISION, files: files.filter((f) => f.path !== "model.bin") });
    const run = await runCli(hubArgs(), moto, hubEnv());
    assert.equal(run.code, 1);
    assert.match(run.stderr, /is not a CTranslate2 Whisper model: missing model\.bin/);
  });
});

describe("package-model with a private repository (HF_TOKEN)", function () {
  this.timeout(60_000);
  let moto: MotoServer;
  let s3: S3Client;
  let hub: FakeHub;
  const token = "hf_test_token_123";

  before(async () => {
    moto = await startMoto();
    s3 = s3ClientFor(moto);
    await createVersionedBucket(s3);
    hub = await startFakeHub({ repo: REPO, revision: REVISION, files: whisperRepoFiles(), token });
  });
  after(async () => {
    await hub?.stop();
    await moto?.stop();
  });

  it("without HF_TOKEN: exit 1 with advice to set it", async () => {
    const run = await runCli(hubArgs(), moto, { HF_ENDPOINT: hub.endpoint });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /repository .* not found or not accessible \(HTTP 401 RepoNotFound/);
    assert.match(run.stderr, /set HF_TOKEN to a token with read access/);
  });

  it("with HF_TOKEN: sends it as a Bearer token on every hub request and succeeds", async () => {
    hub.requests.length = 0;
    const run = await runCli(hubArgs(), moto, { HF_ENDPOINT: hub.endpoint, HF_TOKEN: token });
    assert.equal(run.code, 0, run.stderr);
    const hubRequests = hub.requests.filter((request) => !request.url.startsWith("/lfs-cdn/"));
    assert.ok(hubRequests.length >= 6, "tree pages and resolve downloads");
    for (const request of hubRequests) assert.equal(request.authorization, `Bearer ${token}`, request.url);
    const cdnRequests = hub.requests.filter((request) => request.url.startsWith("/lfs-cdn/"));
    assert.equal(cdnRequests.length, 1, "model.bin fetched from the CDN origin");
    assert.equal(cdnRequests[0].authorization, undefined, "the token does not follow a redirect to another origin");
  });
});
