/**
 * The shared frame of the deploy checks that `pulumi up` runs as command resources: parse `--name value` options,
 * run the check, print its one-line verdict on stdout, or its reason on stderr with exit code 1 (the check failed:
 * the up stops there) or 2 (bad usage). Exit codes as every CLI here uses them (clients/typescript/src/errors.ts).
 */
import { parseArgs } from "node:util";

/** A failed check: the message is what the operator reads in the `pulumi up` output. */
export class CheckFailed extends Error {}

/** Runs `check` with the parsed string options; `required` names the options that must be given. */
export async function runCheck(
  usage: string,
  required: readonly string[],
  optional: readonly string[],
  check: (options: Record<string, string>) => Promise<string>,
): Promise<void> {
  const options = Object.fromEntries([...required, ...optional].map((name) => [name, { type: "string" as const }]));
  let values: Record<string, string | undefined>;
  try {
    values = parseArgs({ args: process.argv.slice(2), options, strict: true }).values as Record<string, string>;
    const missing = required.filter((name) => !values[name]);
    if (missing.length > 0) throw new Error(`missing ${missing.map((name) => `--${name}`).join(", ")}`);
  } catch (error) {
    process.stderr.write(`usage error: ${(error as Error).message}\n${usage}\n`);
    process.exitCode = 2;
    return;
  }
  try {
    process.stdout.write(`${await check(values as Record<string, string>)}\n`);
  } catch (error) {
    const label = error instanceof CheckFailed ? "check failed" : "error";
    process.stderr.write(`${label}: ${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}
