/**
 * The container contract, checked on the real server with the real tiny.en model: started as SageMaker starts the
 * image (sagemaker-container.ts) with each example stack's Model environment as the program computes it
 * (serverEnvironment over the stack's config, not a copy), it answers /ping within SageMaker's 2 s while jobs run,
 * transcribes, and exits cleanly within 30 s of SIGTERM (SageMaker's stop signal) with a job in flight.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { serverEnvironment } from "../../components/server-environment";
import { loadStackConfig } from "../../components/config";
import { freeLoopbackPort } from "../../scripts/cli-kit/free-port";
import { bundledModelDir } from "../../scripts/client/local-server";
import { exampleStacks } from "../program/stacks";
import { ROOT } from "./python";
import {
  DOCKERFILE,
  imageEntrypoint,
  imageUser,
  startAsSageMaker,
  UNPRIVILEGED_READER,
  type StartedContainer,
} from "./sagemaker-container";

/** SageMaker's /ping timeout, and how long it waits after SIGTERM before killing the container. */
const PING_TIMEOUT_MS = 2_000;
const STOP_GRACE_MS = 30_000;
const STARTUP_MS = 120_000;
const AUDIO = fs.readFileSync(path.join(ROOT, "fixtures", "audio", "speech.wav"));

/** The Model environment of a stack, through the program's own functions. */
function modelEnvironment(config: Record<string, string>): Record<string, string> {
  return serverEnvironment(loadStackConfig((key) => config[`whisper-async:${key}`], config["aws:region"]));
}

async function timedPing(url: string): Promise<number> {
  const start = Date.now();
  const response = await fetch(`${url}/ping`, { signal: AbortSignal.timeout(PING_TIMEOUT_MS * 5) });
  assert.equal(response.status, 200);
  return Date.now() - start;
}

async function waitUntilHealthy(container: StartedContainer): Promise<void> {
  const deadline = Date.now() + STARTUP_MS;
  while (Date.now() < deadline) {
    if (container.process.exitCode !== null) break;
    try {
      await timedPing(container.url);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(`the server never answered /ping:\n${container.log()}`);
}

function invoke(url: string): Promise<Response> {
  return fetch(`${url}/invocations`, {
    method: "POST",
    body: AUDIO,
    headers: { "Content-Type": "audio/wav", Accept: "application/json" },
  });
}

/** Pings every 100 ms until `work` settles; returns the slowest answer in ms. */
async function slowestPingDuring(url: string, work: Promise<unknown>): Promise<{ slowest: number; count: number }> {
  let done = false;
  void work.finally(() => (done = true));
  let slowest = 0;
  let count = 0;
  while (!done) {
    slowest = Math.max(slowest, await timedPing(url));
    count += 1;
    await new Promise((r) => setTimeout(r, 100));
  }
  return { slowest, count };
}

interface Stopped {
  /** Whether it exited within the grace period. */
  readonly exited: boolean;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly ms: number;
}

/** Sends SIGTERM and waits up to SageMaker's grace period for the exit. */
function stop(container: StartedContainer): Promise<Stopped> {
  const start = Date.now();
  return new Promise((done) => {
    const timer = setTimeout(
      () => done({ exited: false, code: null, signal: null, ms: Date.now() - start }),
      STOP_GRACE_MS,
    );
    container.process.once("exit", (code, signal) => {
      clearTimeout(timer);
      done({ exited: true, code, signal, ms: Date.now() - start });
    });
    container.process.kill("SIGTERM");
  });
}

/**
 * A clean stop: exit code 0, or death by the SIGTERM itself once the server finished shutting down (uvicorn
 * re-raises the signal it handled, so the exit status reports it; the log shows the shutdown completed).
 */
function assertCleanStop(stopped: Stopped, log: string): void {
  const detail = `${JSON.stringify(stopped)}\n${log.slice(-2000)}`;
  assert.ok(stopped.exited, `still running ${STOP_GRACE_MS} ms after SIGTERM: ${detail}`);
  if (stopped.code === 0) return;
  assert.equal(stopped.signal, "SIGTERM", detail);
  assert.match(log, /Application shutdown complete[\s\S]*Finished server process/, detail);
  assert.doesNotMatch(log, /Traceback/, detail);
}

describe("container contract (the server started as SageMaker starts the image)", function () {
  this.timeout(STARTUP_MS + 120_000);
  const dockerfile = fs.readFileSync(DOCKERFILE, "utf8");
  let modelDir: string;

  before(async function () {
    modelDir = await bundledModelDir();
  });

  it("the image runs `serve` in exec form as root, as SageMaker's contract expects", function () {
    assert.deepEqual(imageEntrypoint(dockerfile), ["serve"]);
    assert.equal(imageUser(dockerfile), "root");
    assert.equal(imageUser(`${dockerfile}\nUSER whisper\n`), "whisper", "a planted USER is seen");
  });

  it("as root, the server's user reads a checkout closed to others and writes nothing `nobody` may not", function () {
    if (process.getuid?.() !== 0) this.skip(); // a normal user runs the server as itself
    const base = fs.mkdtempSync(path.join(os.tmpdir(), "reader-"));
    try {
      const closed = path.join(base, "closed"); // like a clone under /root (0700)
      fs.mkdirSync(closed, { mode: 0o700 });
      fs.writeFileSync(path.join(closed, "code.py"), "print('hello')\n", { mode: 0o600 });
      const readOnly = path.join(base, "model"); // like the read-only model copy
      fs.mkdirSync(readOnly, { mode: 0o555 });
      const script = [
        `cat ${closed}/code.py`,
        `if touch ${closed}/written 2>/dev/null; then echo wrote-closed; fi`,
        `if touch ${readOnly}/written 2>/dev/null; then echo wrote-model; fi`,
        `if chmod 777 ${readOnly} 2>/dev/null; then echo chmod-model; fi`,
      ].join("; ");
      const run = spawnSync("setpriv", [...UNPRIVILEGED_READER, "sh", "-c", script], { encoding: "utf8" });
      assert.equal(run.status, 0, run.stderr);
      assert.equal(run.stdout, "print('hello')\n", "reads the closed checkout, writes and chmods nothing");
      assert.equal(fs.existsSync(path.join(closed, "written")) || fs.existsSync(path.join(readOnly, "written")), false);
    } finally {
      fs.rmSync(base, { recursive: true, force: true });
    }
  });

  // Stacks with the same Model environment run once.
  const environments = new Map<string, { titles: string[]; env: Record<string, string> }>();
  for (const stack of exampleStacks()) {
    const env = modelEnvironment(stack.config);
    const key = JSON.stringify(env);
    environments.set(key, { titles: [...(environments.get(key)?.titles ?? []), stack.title], env });
  }

  for (const { titles, env } of environments.values()) {
    it(`${titles.join("; ")}: healthy under jobs, transcribes, stops cleanly on SIGTERM`, async function () {
      const container = startAsSageMaker({ modelEnvironment: env, modelDir, port: await freeLoopbackPort() });
      try {
        await waitUntilHealthy(container);
        const jobs = Promise.all([invoke(container.url), invoke(container.url), invoke(container.url)]);
        const { slowest, count } = await slowestPingDuring(container.url, jobs);
        const responses = await jobs;
        for (const response of responses) {
          assert.equal(response.status, 200, await response.clone().text());
          assert.match(((await response.json()) as { text: string }).text, /\w+/);
        }
        assert.ok(count >= 3, `pinged ${count} times while the jobs ran`);
        assert.ok(slowest < PING_TIMEOUT_MS, `slowest /ping took ${slowest} ms`);

        // SIGTERM while a (short) job runs: it finishes and answers, then the server exits.
        const inFlight = invoke(container.url);
        await new Promise((r) => setTimeout(r, 300));
        const stopped = await stop(container);
        assertCleanStop(stopped, container.log());
        assert.equal((await inFlight).status, 200, "the job in flight at SIGTERM still gets its answer");
      } finally {
        await container.cleanUp();
      }
    });
  }

  it("reports a Model environment the server refuses (planted: WHISPER_BEAM_SIZE=0)", async function () {
    const env = { ...modelEnvironment(exampleStacks()[0].config), WHISPER_BEAM_SIZE: "0" };
    const container = startAsSageMaker({ modelEnvironment: env, modelDir, port: await freeLoopbackPort() });
    try {
      await assert.rejects(waitUntilHealthy(container), /never answered \/ping[\s\S]*WHISPER_BEAM_SIZE/);
    } finally {
      await container.cleanUp();
    }
  });
});
