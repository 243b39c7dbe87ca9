import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { copyFile, mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freeLoopbackPort } from "../../scripts/cli-kit/free-port";
import { retryDelayMs, retryableConnectionError, retryableErrorCode } from "../../clients/typescript/src/local-retry";
import { LocalTranscriber } from "../../clients/typescript/src/local-transcriber";
import { repoRoot } from "../support/moto";
import { runCli, transcriptJson } from "./helpers";

// `transcribe --local` against a stand-in server on 127.0.0.1 that answers as the real one does when its queue is
// full (503 queue_full, marked retryable in the contract), and that is not listening yet when the batch starts.
// What it does not prove: the real server's queue bound (its own tests cover that).
const FIXTURES = join(repoRoot, "fixtures", "audio");

/** Answers each POST with `answers[n]` (status, body), then with a JSON transcript; counts the requests. */
function standIn(answers: readonly [number, object][]): { server: Server; requests: () => number } {
  let requests = 0;
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    request.resume();
    request.on("end", () => {
      const [status, body] = answers[requests] ?? [200, JSON.parse(transcriptJson(`file ${requests}`, 7))];
      requests++;
      response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    });
  });
  return { server, requests: () => requests };
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve) => server.listen(port, "127.0.0.1", resolve));
}

describe("transcribe --local retries what the server says may succeed later", function () {
  this.timeout(60_000);
  let work: string;
  let server: Server | undefined;
  beforeEach(async () => {
    work = await mkdtemp(join(tmpdir(), "local-retry-"));
    for (const name of ["one.wav", "two.wav"]) await copyFile(join(FIXTURES, "speech.wav"), join(work, name));
  });
  afterEach(async () => {
    await new Promise((resolve) => (server?.listening ? server.close(resolve) : resolve(undefined)));
    server = undefined;
    await rm(work, { recursive: true, force: true });
  });
  const transcribe = (port: number, extra: string[] = []) =>
    runCli("transcribe.ts", [work, "--out", join(work, "out"), "--local", `http://127.0.0.1:${port}`, ...extra]);

  it("retries 503 queue_full with backoff until the file goes through", async () => {
    const full = { error: "queue_full", message: "17 requests are already running or waiting" };
    const standin = standIn([
      [503, full],
      [503, full],
      [503, full],
    ]);
    server = standin.server;
    const port = await freeLoopbackPort();
    await listen(server, port);
    const run = await transcribe(port, ["--concurrency", "2"]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /2 transcribed, 0 skipped \(result exists\), 0 failed/);
    assert.equal(standin.requests(), 5);
    assert.deepEqual((await readdir(join(work, "out"))).sort(), ["one.json", "two.json"]);
  });

  it("does not retry an error the contract marks final", async () => {
    const standin = standIn([
      [400, { error: "bad_option", message: "bad" }],
      [400, { error: "bad_option", message: "bad" }],
    ]);
    server = standin.server;
    const port = await freeLoopbackPort();
    await listen(server, port);
    const run = await transcribe(port, ["--concurrency", "1"]);
    assert.equal(run.code, 1, run.stderr);
    assert.equal(standin.requests(), 2);
    assert.match(run.stderr, /one\.wav: bad \(bad_option\) \[HTTP 400\]/);
  });

  it("retries a refused connection while the server (re)starts", async () => {
    const standin = standIn([]);
    server = standin.server;
    const port = await freeLoopbackPort();
    setTimeout(() => void listen(standin.server, port), 1200);
    const run = await transcribe(port);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(JSON.parse(await readFile(join(work, "out", "one.json"), "utf8")).duration, 7);
  });

  it("fails files once the server has been unreachable for the outage tolerance, the later ones at once", async () => {
    const port = await freeLoopbackPort();
    const transcriber = new LocalTranscriber(`http://127.0.0.1:${port}`, 2000);
    const options = { format: "json" as const, timeoutSeconds: 60, decoding: {} };
    const started = Date.now();
    await assert.rejects(
      transcriber.transcribe(join(work, "one.wav"), options),
      /ECONNREFUSED.* \(unreachable for \d+ s\)$/,
    );
    const first = Date.now() - started;
    assert.ok(first >= 2000 && first < 12_000, `first file failed after ${first} ms`);
    await assert.rejects(transcriber.transcribe(join(work, "two.wav"), options), /unreachable for \d+ s/);
    assert.ok(Date.now() - started - first < 1000, "the second file waited for an outage already known");
  });
});

describe("local retry policy", () => {
  it("takes the retryable flag from the server contract", () => {
    assert.equal(retryableErrorCode(JSON.stringify({ error: "queue_full", message: "" })), "queue_full");
    assert.equal(retryableErrorCode(JSON.stringify({ error: "shutting_down", message: "" })), "shutting_down");
    assert.equal(retryableErrorCode(JSON.stringify({ error: "bad_option", message: "" })), undefined);
    assert.equal(retryableErrorCode("<html>502</html>"), undefined);
  });
  it("finds the socket error behind fetch's TypeError", () => {
    const refused = new TypeError("fetch failed", { cause: Object.assign(new Error("x"), { code: "ECONNREFUSED" }) });
    assert.equal(retryableConnectionError(refused), "ECONNREFUSED");
    assert.equal(retryableConnectionError(new TypeError("fetch failed", { cause: new Error("bad cert") })), undefined);
  });
  it("pauses up to a doubling ceiling, capped", () => {
    assert.equal(
      retryDelayMs(1, () => 1),
      500,
    );
    assert.equal(
      retryDelayMs(3, () => 1),
      2000,
    );
    assert.equal(
      retryDelayMs(10, () => 1),
      8000,
    );
    assert.equal(
      retryDelayMs(4, () => 0),
      0,
    );
  });
});
