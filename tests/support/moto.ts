/**
 * Starts moto (an AWS emulator, `moto[server]` from the project's .venv) on 127.0.0.1 for a test suite.
 *
 * The AWS SDK reads `AWS_ENDPOINT_URL`, so product code talks to moto with no special case; `awsEnv`
 * holds the variables a child process (a CLI under test) needs for that. Only loopback is used.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { freeLoopbackPort } from "../../scripts/cli-kit/free-port";

export const repoRoot = join(__dirname, "..", "..");
export const venvPython = join(repoRoot, ".venv", "bin", "python");

export interface MotoServer {
  /** e.g. `http://127.0.0.1:41234` */
  readonly endpoint: string;
  /** Environment for SDK clients and child processes: endpoint, fake credentials, region. */
  readonly awsEnv: Record<string, string>;
  /** Forgets every resource (moto's reset API), so tests do not see each other's buckets. */
  reset(): Promise<void>;
  /** Freezes the emulator (SIGSTOP): connections are accepted by the kernel, nothing is answered. */
  freeze(): void;
  /** Lets a frozen emulator go on (SIGCONT). */
  thaw(): void;
  stop(): Promise<void>;
}

async function waitUntilUp(endpoint: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`moto exited early with code ${child.exitCode}`);
    try {
      const response = await fetch(`${endpoint}/moto-api/`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`moto did not answer at ${endpoint} within ${timeoutMs} ms`);
}

/** A running emulator process: its server interface, stopping it for good (SIGTERM). */
async function launchMoto(): Promise<MotoServer> {
  const port = await freeLoopbackPort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn(venvPython, ["-m", "moto.server", "-H", "127.0.0.1", "-p", String(port)], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  try {
    await waitUntilUp(endpoint, child, 30_000);
  } catch (error) {
    child.kill("SIGKILL");
    throw new Error(`${(error as Error).message}\n${stderr}`);
  }
  const awsEnv = {
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: "testing",
    AWS_SECRET_ACCESS_KEY: "testing",
    AWS_REGION: "us-east-1",
    AWS_DEFAULT_REGION: "us-east-1",
  };
  return {
    endpoint,
    awsEnv,
    async reset() {
      const response = await fetch(`${endpoint}/moto-api/reset`, { method: "POST" });
      if (!response.ok) throw new Error(`moto reset failed: HTTP ${response.status}`);
    },
    freeze: () => child.kill("SIGSTOP"),
    thaw: () => child.kill("SIGCONT"),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGCONT"); // a frozen emulator could not act on SIGTERM
        child.kill("SIGTERM");
      }),
  };
}

/** The emulator the suites of this test process take turns on, and whether a suite holds it now. */
let shared: { moto: Promise<MotoServer>; held: boolean } | undefined;

/**
 * An emulator for one suite, as if freshly started: thawed, with no resources, and with authentication off. Suites
 * take turns on one emulator process per test run (starting moto costs about a CPU-second; a dozen suites use it):
 * `stop()` resets it for the next suite instead of ending it, and the process ends when the test process exits. A
 * suite that asks while another holds the shared one gets its own process, which `stop()` ends.
 */
export async function startMoto(): Promise<MotoServer> {
  if (shared?.held) return launchMoto();
  if (!shared) {
    const moto = launchMoto();
    shared = { moto, held: true };
    moto.then(
      (started) => process.once("exit", () => void started.stop()),
      () => (shared = undefined),
    );
  }
  shared.held = true;
  const moto = await shared.moto;
  moto.thaw();
  await moto.reset();
  const auth = await fetch(`${moto.endpoint}/moto-api/reset-auth`, { method: "POST", body: "inf" });
  if (!auth.ok) throw new Error(`moto reset-auth failed: HTTP ${auth.status}`);
  let held = true;
  return {
    ...moto,
    async stop() {
      if (!held) return;
      held = false;
      moto.thaw();
      await moto.reset();
      shared!.held = false;
    },
  };
}

/** An S3 client of the emulator, for tests to set up buckets and read what a CLI wrote. */
export function s3ClientFor(moto: MotoServer): S3Client {
  return new S3Client({
    endpoint: moto.endpoint,
    region: moto.awsEnv.AWS_REGION,
    forcePathStyle: true,
    credentials: { accessKeyId: moto.awsEnv.AWS_ACCESS_KEY_ID, secretAccessKey: moto.awsEnv.AWS_SECRET_ACCESS_KEY },
  });
}

/** The keys of every object in `bucket`. */
export async function objectKeys(s3: S3Client, bucket: string): Promise<string[]> {
  return ((await s3.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents ?? []).map((object) => object.Key!);
}

/** The emulator and an S3 client of it, live for the tests of one suite (see {@link useMotoWithBucket}). */
export interface MotoFixture {
  readonly moto: MotoServer;
  readonly s3: S3Client;
}

/**
 * Registers mocha hooks that start moto for the enclosing suite, and before each test reset it (thawed) and
 * create `bucket`. The returned object's fields are set once the suite's `before` has run.
 */
export function useMotoWithBucket(bucket: string): MotoFixture {
  const fixture = {} as { moto: MotoServer; s3: S3Client };
  before(async () => {
    fixture.moto = await startMoto();
    fixture.s3 = s3ClientFor(fixture.moto);
  });
  after(async () => fixture.moto?.stop());
  beforeEach(async () => {
    fixture.moto.thaw();
    await fixture.moto.reset();
    await fixture.s3.send(new CreateBucketCommand({ Bucket: bucket }));
  });
  return fixture;
}
