/** The example stacks' config (Pulumi.<stack>.yaml) as the Pulumi CLI passes it to the program. */
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";

const ROOT = path.resolve(__dirname, "../..");

/** The stack's config as the CLI passes it to the program: scalars as text, objects as JSON. */
export function stackConfig(stack: string): Record<string, string> {
  const file = yaml.load(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8")) as {
    config: Record<string, unknown>;
  };
  return Object.fromEntries(
    Object.entries(file.config).map(([key, value]) => {
      if (typeof value === "object" && value !== null && "secure" in value) {
        throw new Error(`${key} is a secret; these tests have no key to decrypt it`);
      }
      return [key, typeof value === "object" ? JSON.stringify(value) : String(value)];
    }),
  );
}

/**
 * The optional settings that Pulumi.prod.yaml shows as comments (`# whisper-async:<key>: <value>`), so the "prod with
 * everything" example follows the file.
 */
export function commentedSettings(stack: string): Record<string, string> {
  const text = fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8");
  return Object.fromEntries(
    [...text.matchAll(/^\s*#\s*(whisper-async:\w+):\s*(.+?)\s*$/gm)].map((m) => [m[1], String(yaml.load(m[2]))]),
  );
}

/** Every example stack the AWS-contract checks run on: dev, prod, and prod with its commented options turned on. */
export function exampleStacks(): { title: string; config: Record<string, string> }[] {
  return [
    { title: "dev", config: stackConfig("dev") },
    { title: "prod", config: stackConfig("prod") },
    {
      title: "prod with KMS key, alarm topic, callers and results in notifications",
      config: { ...stackConfig("prod"), ...commentedSettings("prod") },
    },
  ];
}
