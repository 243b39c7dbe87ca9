/**
 * A stack's settings read straight from `Pulumi.<stack>.yaml`, over the project's config defaults in `Pulumi.yaml`,
 * as the Pulumi CLI would pass them to the program (scalars as text, objects as JSON): what the estimate reads when
 * the CLI is not installed, so that a project can be weighed before anything is installed.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as yaml from "js-yaml";
import { UsageError } from "../../clients/typescript/src/errors";

export const PROJECT = "whisper-async";
/** The one setting of another namespace the estimate reads: where the stack deploys (its prices). */
export const REGION_KEY = "aws:region";
/** The stack read when none is named and no CLI can say which is selected. */
export const DEFAULT_STACK = "dev";

type YamlConfig = Record<string, unknown> | undefined;

function configOf(file: string): YamlConfig {
  try {
    const parsed = yaml.load(readFileSync(file, "utf8")) as { config?: YamlConfig } | undefined;
    return parsed?.config ?? undefined;
  } catch (error) {
    throw new UsageError(`${file}: ${(error as Error).message}`);
  }
}

/** A config value as the CLI passes it: text for scalars, JSON for objects and lists. */
function asText(key: string, value: unknown, file: string): string {
  if (typeof value === "object" && value !== null && "secure" in value) {
    throw new UsageError(`${key} in ${file} is a secret: only the Pulumi CLI can decrypt it (install it, or unset it)`);
  }
  return typeof value === "object" && value !== null ? JSON.stringify(value) : String(value);
}

/**
 * The project's settings (`whisper-async:<key>` -> text) and `aws:region` for `stack`, from `root`/Pulumi.<stack>.yaml
 * over the `config` defaults of `root`/Pulumi.yaml. Other namespaces are left out.
 */
export function stackFileConfig(root: string, stack: string): Record<string, string> {
  const stackFile = join(root, `Pulumi.${stack}.yaml`);
  if (!existsSync(stackFile)) throw new UsageError(`no stack file ${stackFile} (--stack names Pulumi.<NAME>.yaml)`);
  const projectFile = join(root, "Pulumi.yaml");
  const settings: Record<string, string> = {};
  // Project defaults: `key: value`, or `key: {default: value, ...}`; a key without a namespace is the project's.
  for (const [rawKey, declared] of Object.entries(configOf(projectFile) ?? {})) {
    const key = rawKey.includes(":") ? rawKey : `${PROJECT}:${rawKey}`;
    const value =
      typeof declared === "object" && declared !== null ? (declared as { default?: unknown }).default : declared;
    if (key.startsWith(`${PROJECT}:`) && value !== undefined) settings[key] = asText(key, value, projectFile);
  }
  for (const [key, value] of Object.entries(configOf(stackFile) ?? {})) {
    if (key.startsWith(`${PROJECT}:`) || key === REGION_KEY) settings[key] = asText(key, value, stackFile);
  }
  return settings;
}
