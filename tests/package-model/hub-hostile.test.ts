import assert from "node:assert/strict";
import type { S3Client } from "@aws-sdk/client-s3";
import { MAX_TREE_PAGES } from "../../scripts/package-model/hub-source";
import { startMoto, type MotoServer } from "../support/moto";
import { startFakeHub, type FakeHub, type FakeHubOptions } from "./fake-hub";
import {
  REPO,
  REVISION,
  createVersionedBucket,
  hubArgs,
  listKeys,
  runCli,
  s3ClientFor,
  startCli,
  whisperRepoFiles,
} from "./helpers";

// A hub (or a proxy set as HF_ENDPOINT) whose paging misbehaves: the token must stay on the hub's origin, the
// listing must end, and SIGTERM must stop it. What this does not prove: the real hub's page sizes.
describe("package-model against a hub whose paging misbehaves", function () {
  this.timeout(60_000);
  const token = "hf_secret_token_456";
  let moto: MotoServer;
  let s3: S3Client;
  let hub: FakeHub | undefined;
  const startHub = async (options: Partial<FakeHubOptions>) => {
    hub = await startFakeHub({ repo: REPO, revision: REVISION, files: whisperRepoFiles(), token, ...options });
    return hub;
  };
  const treeRequests = (fake: FakeHub) => fake.requests.filter((request) => request.url.includes("/tree/"));

  before(async () => {
    moto = await startMoto();
    s3 = s3ClientFor(moto);
    await createVersionedBucket(s3);
  });
  after(async () => moto?.stop());
  afterEach(async () => {
    await hub?.stop();
    hub = undefined;
  });

  it("never follows a next-page link to another origin, so the token stays on the hub", async () => {
    const fake = await startHub({ pagination: "cross-origin" });
    const run = await runCli(hubArgs(), moto, { HF_ENDPOINT: fake.endpoint, HF_TOKEN: token });
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /next-page link leads to another origin/);
    const cdnHost = new URL(fake.cdnEndpoint).host;
    assert.deepEqual(
      fake.requests.filter((request) => request.host === cdnHost),
      [],
      "nothing was sent to the other origin",
    );
    assert.deepEqual(await listKeys(s3), []);
  });

  it("stops at a page that links to itself", async () => {
    const fake = await startHub({ pagination: "self" });
    const run = await runCli(hubArgs(), moto, { HF_ENDPOINT: fake.endpoint, HF_TOKEN: token });
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /returns to a page already read/);
    assert.equal(treeRequests(fake).length, 1);
  });

  it(`stops after ${MAX_TREE_PAGES} pages of a listing that never ends`, async () => {
    const fake = await startHub({ pagination: "endless" });
    const run = await runCli(hubArgs(), moto, { HF_ENDPOINT: fake.endpoint, HF_TOKEN: token });
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, new RegExp(`more than ${MAX_TREE_PAGES} pages`));
    assert.equal(treeRequests(fake).length, MAX_TREE_PAGES);
  });

  it("honours SIGTERM while listing", async () => {
    const fake = await startHub({ pagination: "endless", pageDelayMs: 200 });
    const { child, done } = await startCli(hubArgs(), moto, { HF_ENDPOINT: fake.endpoint, HF_TOKEN: token });
    while (treeRequests(fake).length < 3) await new Promise((resolve) => setTimeout(resolve, 50));
    const signalled = Date.now();
    child.kill("SIGTERM");
    const run = await done;
    assert.equal(run.code, 130, run.stderr);
    assert.ok(Date.now() - signalled < 5000, `took ${Date.now() - signalled} ms`);
    assert.ok(treeRequests(fake).length < 10, "the listing stopped");
  });
});
