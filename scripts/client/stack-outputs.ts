/** Reads the deployed stack's outputs with the Pulumi CLI (`pulumi stack output --json`). */
import { execFile } from "node:child_process";
import { UsageError } from "../../clients/typescript/src/errors";

/** The stack outputs the CLIs use (names as exported by index.ts). */
export interface StackOutputs {
  readonly endpointName?: string;
  readonly bucketName?: string;
  readonly inputPrefix?: string;
  /** Read by `npm run cost`. */
  readonly variantName?: string;
  readonly instancePricePerHour?: number;
}

/**
 * Runs `pulumi stack output --json [--stack NAME]` in the current directory (the project root) and returns
 * the outputs. Without a name, Pulumi uses the selected stack. Failures become UsageErrors that end with
 * `fallback`: how to pass the values by hand instead.
 */
export function readStackOutputs(
  stack?: string,
  fallback = "or pass --endpoint and --bucket (and --prefix) instead",
): Promise<StackOutputs> {
  const args = ["stack", "output", "--json", ...(stack ? ["--stack", stack] : [])];
  return new Promise((resolve, reject) => {
    execFile("pulumi", args, { maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) {
        const missing = (error as NodeJS.ErrnoException).code === "ENOENT";
        const reason = missing ? "the pulumi CLI is not on PATH" : stderr.trim() || error.message;
        return reject(
          new UsageError(`cannot read the stack outputs (pulumi ${args.join(" ")}): ${reason}; ${fallback}`),
        );
      }
      try {
        const outputs: unknown = JSON.parse(stdout);
        if (!outputs || typeof outputs !== "object") throw new Error("not a JSON object");
        resolve(outputs as StackOutputs);
      } catch (parseError) {
        reject(new UsageError(`pulumi stack output printed something other than JSON (${parseError}); ${fallback}`));
      }
    });
  });
}

/**
 * The value of `--<flag>`, else the stack output `output`; with neither, a usage error that names both, e.g.
 * `no endpoint: pass --endpoint or deploy a stack with an endpointName output`.
 */
export function flagOrStackOutput(
  flagValue: string | undefined,
  outputs: StackOutputs,
  flag: string,
  output: "endpointName" | "bucketName" | "variantName",
): string {
  const value = flagValue ?? outputs[output];
  if (!value) {
    const article = /^[aeiou]/.test(output) ? "an" : "a";
    throw new UsageError(`no ${flag}: pass --${flag} or deploy a stack with ${article} ${output} output`);
  }
  return value;
}
