/** Runs a Python checker of tools/ on the program's AWS resources and returns its JSON report. */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { Recorded } from "../program/mocks";

export const ROOT = path.resolve(__dirname, "../..");
export const VENV_PYTHON = path.join(ROOT, ".venv", "bin", "python");

/** A recorded input as the provider receives it: secrets as their plain value. */
function plain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plain);
  if (value === null || typeof value !== "object") return value;
  const object = value as Record<string, unknown>;
  if (object[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig) return plain(object.value);
  return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, plain(v)]));
}

/** The AWS resources (not our components, whose args hold resource objects) as plain JSON records. */
export function awsRecords(resources: readonly Recorded[]): Recorded[] {
  return resources
    .filter((r) => r.type.startsWith("aws:"))
    .map((r) => ({ type: r.type, name: r.name, inputs: plain(r.inputs) as Recorded["inputs"] }));
}

/** Runs `tools/<script> <input.json>` on `input` (resource records, or what the script reads) and parses its stdout. */
export function runChecker<T>(script: string, input: unknown): T {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aws-contract-"));
  try {
    const file = path.join(dir, "input.json");
    fs.writeFileSync(file, JSON.stringify(input));
    const run = spawnSync(VENV_PYTHON, [path.join(ROOT, "tools", script), file], { encoding: "utf8" });
    if (run.status !== 0) throw new Error(`${script} exited ${run.status}: ${run.stderr}`);
    return JSON.parse(run.stdout) as T;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
