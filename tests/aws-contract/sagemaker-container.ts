/**
 * Starts the server the way SageMaker starts the image (`docker run IMAGE serve`): the image's ENTRYPOINT with the
 * argument `serve`, the image's ENV (read from container/Dockerfile) overlaid by the Model's environment (as the
 * program computes it), the model directory read-only, a working directory it cannot write. Differences, all
 * forced by running without Docker or a GPU: WHISPER_DEVICE=cpu (and the CPU's default compute type where the
 * stack's needs a GPU), a local copy of tiny.en as the model, a free port on 127.0.0.1 instead of 0.0.0.0:8080,
 * and, when the test runs as root, an unprivileged user (root ignores file modes, so only that proves the server
 * needs no write access; the image itself runs as root, as SageMaker expects).
 *
 * That user is `nobody` with one capability kept, CAP_DAC_READ_SEARCH: it reads and enters any directory but writes
 * only where `nobody` may. Without it, a checkout that `nobody` cannot enter (a clone under /root, mode 0700, or a
 * Python under /root/.pyenv) fails with `.venv/bin/serve: Permission denied`; with it, the test runs the server
 * from wherever the clone lives and still proves the server needs no write access.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ROOT } from "./python";

export const DOCKERFILE = path.join(ROOT, "container", "Dockerfile");
/** The uid/gid of `nobody`, used when the test runs as root. */
const UNPRIVILEGED = 65534;

/**
 * `setpriv` arguments that run a command as `nobody`, able to read everything (CAP_DAC_READ_SEARCH, the only
 * capability left, also in the bounding set) and to write only what `nobody` may; no new privileges on exec.
 */
export const UNPRIVILEGED_READER = [
  `--reuid=${UNPRIVILEGED}`,
  `--regid=${UNPRIVILEGED}`,
  "--clear-groups",
  "--inh-caps=-all,+dac_read_search",
  "--ambient-caps=-all,+dac_read_search",
  "--bounding-set=-all,+dac_read_search",
  "--no-new-privs",
];

/** Dockerfile lines with their backslash continuations joined. */
function instructions(dockerfile: string): string[] {
  return dockerfile
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
}

/** The image's ENV (`ENV KEY=VALUE ...` instructions, values without spaces or quotes as ours are). */
export function imageEnvironment(dockerfile: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of instructions(dockerfile).filter((l) => /^ENV\s/i.test(l))) {
    for (const pair of line.split(/\s+/).slice(1)) {
      const at = pair.indexOf("=");
      if (at <= 0) throw new Error(`unsupported ENV form in the Dockerfile: ${line}`);
      env[pair.slice(0, at)] = pair.slice(at + 1);
    }
  }
  return env;
}

/** The user the image runs as: the last USER instruction, root without one. */
export function imageUser(dockerfile: string): string {
  const users = instructions(dockerfile).filter((l) => /^USER\s/i.test(l));
  return users.length === 0 ? "root" : users[users.length - 1].split(/\s+/)[1];
}

/** The image's ENTRYPOINT in exec form (SageMaker appends `serve`; the exec form receives SIGTERM itself). */
export function imageEntrypoint(dockerfile: string): string[] {
  const line = instructions(dockerfile)
    .filter((l) => /^ENTRYPOINT\s/i.test(l))
    .pop();
  if (line === undefined) throw new Error("the Dockerfile has no ENTRYPOINT");
  const form = line.replace(/^ENTRYPOINT\s+/i, "");
  if (!form.startsWith("[")) throw new Error(`ENTRYPOINT must be in exec form, got ${form}`);
  return JSON.parse(form) as string[];
}

/** Sets the mode of `root` and everything below it: `dirMode` for directories, `fileMode` for files. */
function chmodTree(root: string, dirMode: number, fileMode: number): void {
  const stat = fs.statSync(root);
  if (stat.isDirectory())
    for (const entry of fs.readdirSync(root)) chmodTree(path.join(root, entry), dirMode, fileMode);
  fs.chmodSync(root, stat.isDirectory() ? dirMode : fileMode);
}

/** Copies `from` to `to` and takes away every write bit. */
function readOnlyCopy(from: string, to: string): void {
  fs.cpSync(from, to, { recursive: true });
  chmodTree(to, 0o555, 0o444);
}

export interface StartedContainer {
  readonly url: string;
  readonly process: ChildProcess;
  /** stdout + stderr so far. */
  log(): string;
  /** Ends the process if it still runs and removes the temporary directories. */
  cleanUp(): Promise<void>;
}

/** Starts `<ENTRYPOINT> serve` with `modelEnvironment` over the image's ENV, as described above. */
export function startAsSageMaker(options: {
  modelEnvironment: Record<string, string>;
  modelDir: string;
  port: number;
}): StartedContainer {
  const dockerfile = fs.readFileSync(DOCKERFILE, "utf8");
  const base = fs.mkdtempSync(path.join(os.tmpdir(), "sagemaker-contract-"));
  fs.chmodSync(base, 0o755);
  const modelDir = path.join(base, "model");
  readOnlyCopy(options.modelDir, modelDir);
  const workDir = path.join(base, "workdir");
  fs.mkdirSync(workDir, { mode: 0o555 });

  const environment: Record<string, string> = {
    PATH: `${path.join(ROOT, ".venv", "bin")}:/usr/local/bin:/usr/bin:/bin`,
    HOME: workDir,
    ...imageEnvironment(dockerfile),
    ...options.modelEnvironment,
    MODEL_DIR: modelDir,
    HOST: "127.0.0.1",
    PORT: String(options.port),
    WHISPER_DEVICE: "cpu",
  };
  // The stack's GPU compute types do not run on a CPU: the server's CPU default (int8) stands in.
  if (["float16", "int8_float16"].includes(environment.WHISPER_COMPUTE_TYPE)) delete environment.WHISPER_COMPUTE_TYPE;

  const [command, ...args] = [...imageEntrypoint(dockerfile), "serve"];
  const asUnprivileged = process.getuid?.() === 0;
  const child = asUnprivileged
    ? spawn("setpriv", [...UNPRIVILEGED_READER, command, ...args], {
        cwd: workDir,
        env: environment,
      })
    : spawn(command, args, { cwd: workDir, env: environment });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return {
    url: `http://127.0.0.1:${options.port}`,
    process: child,
    log: () => output,
    cleanUp: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGKILL");
        await new Promise((done) => child.once("exit", done));
      }
      chmodTree(base, 0o755, 0o644);
      fs.rmSync(base, { recursive: true, force: true });
    },
  };
}
