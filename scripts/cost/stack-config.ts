/**
 * A stack's settings as `pulumi up` will see them, read with the Pulumi CLI (`pulumi config --json`) and validated by
 * the program's own loader, so the estimate uses the same defaults and checks as the deploy.
 */
import { execFile } from "node:child_process";
import { ConfigError, loadStackConfig, type StackConfig } from "../../components/config";
import { UsageError } from "../../clients/typescript/src/errors";

const PROJECT = "whisper-async";

/** `pulumi config --json` prints `{"<project>:<key>": {"value": "...", "secret": false}, ...}`. */
type PulumiConfig = Record<string, { value?: string; secret?: boolean }>;

/** Runs `pulumi config --json [--stack NAME]` in the project root and loads the stack's config from it. */
export function readStackConfig(stack?: string): Promise<StackConfig> {
  const args = ["config", "--json", ...(stack ? ["--stack", stack] : [])];
  return new Promise((resolve, reject) => {
    execFile("pulumi", args, { maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) {
        const missing = (error as NodeJS.ErrnoException).code === "ENOENT";
        const reason = missing ? "the pulumi CLI is not on PATH" : stderr.trim() || error.message;
        return reject(new UsageError(`cannot read the stack's config (pulumi ${args.join(" ")}): ${reason}`));
      }
      try {
        resolve(stackConfigFrom(JSON.parse(stdout) as PulumiConfig));
      } catch (cause) {
        reject(cause instanceof UsageError ? cause : new UsageError(`the stack's config: ${(cause as Error).message}`));
      }
    });
  });
}

/** The StackConfig of `pulumi config --json` output; a bad setting is a UsageError naming it. */
export function stackConfigFrom(config: PulumiConfig): StackConfig {
  if (!config || typeof config !== "object") throw new UsageError("pulumi config --json printed no JSON object");
  try {
    return loadStackConfig((key) => config[`${PROJECT}:${key}`]?.value);
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
}
