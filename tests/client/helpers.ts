/** Shared by the client tests: run a CLI as a child process, and configure moto's async results. */
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { cliBundle } from "../support/cli-bundle";
import { repoRoot } from "../support/moto";

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The signal that ended the process, if one did (e.g. the kill after `killAfterMs`). */
  readonly signal?: NodeJS.Signals | null;
  readonly seconds?: number;
}

export interface RunControl {
  /** SIGKILL the CLI after this long (a hung CLI then shows as signal SIGKILL instead of hanging the test). */
  readonly killAfterMs?: number;
  /** Called with the child once it is started, e.g. to signal it. */
  readonly onStart?: (child: ChildProcess) => void;
}

/**
 * Runs `scripts/<script> ...args` from the repo root, as `npm run` does but with `node` on the script's bundle (see
 * tests/support/cli-bundle.ts), with extra environment. A `script` with a slash is a path from the repo root instead
 * (a test stand-in).
 */
export async function runCli(
  script: string,
  args: readonly string[],
  env: Record<string, string> = {},
  control: RunControl = {},
): Promise<CliRun> {
  const bundle = await cliBundle(script.includes("/") ? script : join("scripts", script));
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, [bundle, ...args], {
      cwd: repoRoot,
      // The SDK's Node-version notice would only add noise to the stderr the tests read.
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", ...env },
      stdio: ["ignore", "pipe", "pipe"],
      // Its own process group, so a kill reaches whatever the CLI started too (e.g. npm start's local server).
      detached: true,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const killer = control.killAfterMs
      ? setTimeout(() => killProcessGroup(child.pid!), control.killAfterMs)
      : undefined;
    control.onStart?.(child);
    child.once("error", reject);
    child.once("close", (code, signal) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr, signal, seconds: (Date.now() - started) / 1000 });
    });
  });
}

/** SIGKILLs every process of the group `pid` leads (a CLI started by {@link runCli}); quiet if none is left. */
export function killProcessGroup(pid: number): void {
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // the group has ended
  }
}

/** Whether any process of the group `pid` leads is still running. */
export function processGroupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** One queued async result: the object moto writes at OutputLocation, or at FailureLocation. */
export type MotoAsyncResult = { readonly data: string; readonly is_failure?: boolean };

/**
 * Queues what moto's InvokeEndpointAsync answers next, one entry per new InputLocation, in call order
 * (moto writes the object at once; a repeated InputLocation gets its first locations again).
 */
export async function queueAsyncResults(motoEndpoint: string, results: readonly MotoAsyncResult[]): Promise<void> {
  const response = await fetch(`${motoEndpoint}/moto-api/static/sagemaker/async-endpoint-results`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ results }),
  });
  if (!response.ok) throw new Error(`moto rejected the async results: HTTP ${response.status}`);
}

/** A server-shaped JSON transcript for moto to return. */
export function transcriptJson(text: string, duration: number): string {
  return JSON.stringify({
    text,
    language: "en",
    language_probability: 1,
    duration,
    segments: [{ id: 0, start: 0, end: duration, text }],
    model: "tiny.en",
    processing_seconds: 0.5,
  });
}

/** Word error rate of `hypothesis` against `reference`, ignoring case and punctuation. */
export function wordErrorRate(reference: string, hypothesis: string): number {
  const words = (text: string) =>
    text
      .toLowerCase()
      .replace(/[^a-z0-9' ]+/g, " ")
      .split(/\s+/)
      .filter(Boolean);
  const ref = words(reference);
  const hyp = words(hypothesis);
  let previous = Array.from({ length: hyp.length + 1 }, (_, j) => j);
  for (let i = 1; i <= ref.length; i++) {
    const current = [i];
    for (let j = 1; j <= hyp.length; j++) {
      const substitution = previous[j - 1] + (ref[i - 1] === hyp[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j] + 1, current[j - 1] + 1, substitution));
    }
    previous = current;
  }
  return previous[hyp.length] / Math.max(1, ref.length);
}
