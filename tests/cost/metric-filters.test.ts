import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { COST_METRICS, LOG_METRIC_FILTERS, type CostMetricName } from "../../components/cost-metric-filters";
import { waitFor } from "../../clients/typescript/src/backoff";
import { freeLoopbackPort } from "../../scripts/cli-kit/free-port";
import { VENV_BIN, bundledModelDir } from "../../scripts/client/local-server";
import { matchesFilterPattern, metricValueOf } from "../support/filter-pattern";
import { repoRoot } from "../support/moto";

// The cost metric filters run over what the real server printed (tiny.en on CPU, 127.0.0.1): one transcription,
// two rejected requests, its start-up and shut-down lines. Not a copy of a log line: a renamed field or message
// in the server fails here. What this does not prove: CloudWatch's own pattern engine (see filter-pattern.ts).
const FIXTURES = join(repoRoot, "fixtures", "audio");

interface ServerRun {
  readonly lines: string[];
  /** The successful transcription's JSON body. */
  readonly transcript: { duration: number; processing_seconds: number };
}

async function runRealServer(): Promise<ServerRun> {
  const port = await freeLoopbackPort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(join(VENV_BIN, "serve"), ["serve"], {
    cwd: repoRoot,
    env: {
      ...process.env,
      HOST: "127.0.0.1",
      PORT: String(port),
      MODEL_DIR: await bundledModelDir(),
      WHISPER_DEVICE: "cpu",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`serve exited with ${child.exitCode}:\n${stdout}`);
        return (await fetch(`${url}/ping`).catch(() => undefined))?.ok ? true : undefined;
      },
      { timeoutMs: 120_000, minDelayMs: 200, maxDelayMs: 1000, timeoutMessage: () => `no /ping:\n${stdout}` },
    );
    const post = (body: Buffer) => fetch(`${url}/invocations`, { method: "POST", body });
    const ok = await post(readFileSync(join(FIXTURES, "speech.m4a")));
    assert.equal(ok.status, 200);
    const transcript = (await ok.json()) as ServerRun["transcript"];
    assert.equal((await post(readFileSync(join(FIXTURES, "image.png")))).status, 415);
    assert.equal((await post(Buffer.alloc(0))).status, 400);
    return { lines: stdout.split("\n").filter((line) => line.trim() !== ""), transcript };
  } finally {
    child.kill("SIGTERM");
    await exited;
  }
}

describe("cost metric filters over the real server's log lines", function () {
  this.timeout(180_000);
  let run: ServerRun;
  /** What each filter would publish for the run: one value per matched line. */
  const published = (metric: CostMetricName) => {
    const filter = LOG_METRIC_FILTERS.find((f) => f.metricName === metric);
    assert.ok(filter, metric);
    return run.lines
      .filter((line) => matchesFilterPattern(filter.pattern, line))
      .map((line) => metricValueOf(filter.value, line));
  };

  before(async () => {
    run = await runRealServer();
  });

  it("counts every answered request, whatever its outcome, and nothing else", function () {
    assert.deepEqual(published(COST_METRICS.requests), [1, 1, 1]);
  });

  it("sums the audio and processing seconds of the successful transcription only", function () {
    const [audio, ...moreAudio] = published(COST_METRICS.audioSeconds);
    assert.deepEqual(moreAudio, []);
    assert.ok(Math.abs(audio - run.transcript.duration) < 0.01, `${audio} vs ${run.transcript.duration}`);
    const [processing, ...moreProcessing] = published(COST_METRICS.processingSeconds);
    assert.deepEqual(moreProcessing, []);
    assert.ok(Math.abs(processing - run.transcript.processing_seconds) < 0.01, `${processing}`);
  });

  it("publishes the queue wait of the successful transcription (alone on the server: near 0)", function () {
    const waits = published(COST_METRICS.queueSeconds);
    assert.equal(waits.length, 1);
    assert.ok(waits[0] >= 0 && waits[0] < 1, `${waits[0]}`);
  });

  it("counts one cold start, with its model load time, per server start", function () {
    assert.deepEqual(published(COST_METRICS.coldStarts), [1]);
    const [load] = published(COST_METRICS.modelLoadSeconds);
    assert.ok(load > 0 && load < 120, `${load}`);
  });

  it("every filter publishes something, and every line the filters skip is not an invocation or a start", function () {
    const matched = new Set<string>();
    for (const filter of LOG_METRIC_FILTERS) {
      const lines = run.lines.filter((line) => matchesFilterPattern(filter.pattern, line));
      assert.ok(lines.length > 0, `${filter.metricName} matched no line`);
      lines.forEach((line) => matched.add(line));
    }
    const skipped = run.lines.filter((line) => !matched.has(line)).map((line) => JSON.parse(line).message);
    assert.ok(skipped.length > 0);
    for (const message of skipped) assert.ok(message !== "invocation" && message !== "ready", message);
  });
});
