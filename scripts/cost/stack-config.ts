/**
 * A stack's settings as `pulumi up` will see them, read with the Pulumi CLI (`pulumi config --json`), or straight
 * from Pulumi.<stack>.yaml when the CLI is not installed (stack-file.ts), and validated by the program's own loader,
 * so the estimate uses the same defaults and checks as the deploy.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { ConfigError, loadStackConfig, type StackConfig } from "../../components/config";
import { UsageError } from "../../clients/typescript/src/errors";
import { DEFAULT_STACK, PROJECT, REGION_KEY, stackFileConfig } from "./stack-file";

const PROJECT_ROOT = join(__dirname, "..", "..");

/** `pulumi config --json` prints `{"<project>:<key>": {"value": "...", "secret": false}, ...}`. */
type PulumiConfig = Record<string, { value?: string; secret?: boolean }>;

/** A stack's validated settings and the region it deploys to (`aws:region`; undefined when the stack does not say). */
export interface StackSettings {
  readonly config: StackConfig;
  readonly region: string | undefined;
}

/** {@link StackSettings} and where they were read from, for the line on stderr. */
export interface StackSettingsSource extends StackSettings {
  /** `pulumi config ...`, or the file read when the CLI is missing. */
  readonly from: string;
}

/**
 * Runs `pulumi config --json [--stack NAME]` in the project root and loads the stack's config from it; without the
 * Pulumi CLI on PATH, reads Pulumi.<NAME>.yaml (NAME defaults to dev: no CLI, no selected stack) instead.
 */
export function readStackConfig(stack?: string, root: string = PROJECT_ROOT): Promise<StackSettingsSource> {
  const args = ["config", "--json", ...(stack ? ["--stack", stack] : [])];
  return new Promise((resolve, reject) => {
    execFile("pulumi", args, { maxBuffer: 16 * 1024 * 1024, cwd: root }, (error, stdout, stderr) => {
      try {
        if ((error as NodeJS.ErrnoException | null)?.code === "ENOENT") {
          const name = stack ?? DEFAULT_STACK;
          const settings = stackFileConfig(root, name);
          const loaded = loadChecked((key) => settings[key]);
          return resolve({ ...loaded, from: `Pulumi.${name}.yaml (no Pulumi CLI on PATH)` });
        }
        if (error) {
          const reason = stderr.trim() || error.message;
          throw new UsageError(`cannot read the stack's config (pulumi ${args.join(" ")}): ${reason}`);
        }
        resolve({ ...stackConfigFrom(JSON.parse(stdout) as PulumiConfig), from: `pulumi ${args.join(" ")}` });
      } catch (cause) {
        reject(cause instanceof UsageError ? cause : new UsageError(`the stack's config: ${(cause as Error).message}`));
      }
    });
  });
}

/** The settings of `pulumi config --json` output; a bad setting is a UsageError naming it. */
export function stackConfigFrom(config: PulumiConfig): StackSettings {
  if (!config || typeof config !== "object") throw new UsageError("pulumi config --json printed no JSON object");
  return loadChecked((key) => config[key]?.value);
}

/** The program's loader on `setting` (full keys: `whisper-async:<key>`, `aws:region`); a bad one is a UsageError. */
function loadChecked(setting: (key: string) => string | undefined): StackSettings {
  const region = setting(REGION_KEY);
  try {
    return { config: loadStackConfig((key) => setting(`${PROJECT}:${key}`), region), region };
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
}
