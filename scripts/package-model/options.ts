/**
 * Command line and environment of the package-model CLI, parsed and validated up front (UsageError, exit 2).
 */
import { parseArgs } from "node:util";
import { UsageError } from "./errors";
import type { UploadTuning } from "./s3-store";

/** Default key prefix inside the bucket. */
export const DEFAULT_PREFIX = "models/";
/** Default Hugging Face endpoint when HF_ENDPOINT is unset. */
export const DEFAULT_HF_ENDPOINT = "https://huggingface.co";
/** Default multipart part size in MiB: 3.1 GB of large-v3 in ~47 parts, 64 MiB of memory per part in flight. */
export const DEFAULT_PART_SIZE_MB = 64;
/** Default number of parts uploaded in parallel. */
export const DEFAULT_QUEUE_SIZE = 4;

export const USAGE = `Usage:
  package-model --repo <org/name> --revision <40-hex commit> --bucket <bucket> [options]
  package-model --local-dir <dir> --bucket <bucket> [options]

Streams a CTranslate2 Whisper model (model.bin, config.json, tokenizer.json, vocabulary.*,
preprocessor_config.json) into s3://<bucket>/<prefix><repo>/<revision>/ (local directory:
<prefix>local/<dir name>/<content hash>/), verifying size and sha256, skipping files already
uploaded intact. Prints the S3 prefix URI on stdout; progress and logs go to stderr.

Options:
  --repo <org/name>       Hugging Face model repository, e.g. Systran/faster-whisper-large-v3
  --revision <commit>     full 40-hex commit of --repo (branches and tags move, so they are refused)
  --local-dir <dir>       upload this local model directory instead of a hub repository
  --bucket <name>         destination S3 bucket (required)
  --prefix <prefix>       key prefix, "" or ending in "/" (default: ${DEFAULT_PREFIX})
  --part-size-mb <n>      multipart part size in MiB, 5..5120 (default: ${DEFAULT_PART_SIZE_MB})
  --queue-size <n>        parts uploaded in parallel, 1..32 (default: ${DEFAULT_QUEUE_SIZE})
  --diarization           also upload the speaker-diarization models (pinned sherpa-onnx ONNX exports,
                          34 MB) into diarization/ of the model prefix, so the server can label speakers
  -h, --help              show this help

Environment:
  HF_TOKEN                Hugging Face token for private or gated repositories
  HF_ENDPOINT             hub base URL (default: ${DEFAULT_HF_ENDPOINT})
  AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL ...   the standard AWS SDK configuration

Exit codes: 0 done, 1 packaging failed, 2 usage error, 130 interrupted.`;

export type SourceOption =
  | { readonly kind: "hub"; readonly repo: string; readonly revision: string }
  | { readonly kind: "local"; readonly dir: string };

export interface CliOptions {
  readonly source: SourceOption;
  readonly bucket: string;
  readonly prefix: string;
  readonly tuning: UploadTuning;
  readonly hfEndpoint: string;
  readonly hfToken?: string;
  /** Also upload the speaker-diarization models (`--diarization`); set only when given. Default off. */
  readonly diarization?: true;
}

/** Parses argv; returns "help" for --help. Throws UsageError naming the flag or variable at fault. */
export function parseCliOptions(argv: readonly string[], env: NodeJS.ProcessEnv): CliOptions | "help" {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        repo: { type: "string" },
        revision: { type: "string" },
        "local-dir": { type: "string" },
        bucket: { type: "string" },
        prefix: { type: "string", default: DEFAULT_PREFIX },
        "part-size-mb": { type: "string", default: String(DEFAULT_PART_SIZE_MB) },
        "queue-size": { type: "string", default: String(DEFAULT_QUEUE_SIZE) },
        diarization: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return "help";

  const source = parseSource(values.repo, values.revision, values["local-dir"]);
  if (!values.bucket) throw new UsageError("--bucket is required");
  // S3 bucket naming rules (lower-case letters, digits, dots, hyphens; 3-63 characters).
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(values.bucket)) {
    throw new UsageError(`--bucket must be a valid S3 bucket name, got "${values.bucket}"`);
  }
  const prefix = values.prefix;
  if (prefix !== "" && (!prefix.endsWith("/") || prefix.startsWith("/") || prefix.includes("//"))) {
    throw new UsageError(
      `--prefix must be "" or a key prefix like "models/" (no leading slash, trailing slash), got "${prefix}"`,
    );
  }
  const partSizeMb = integerOption("--part-size-mb", values["part-size-mb"], 5, 5120);
  const queueSize = integerOption("--queue-size", values["queue-size"], 1, 32);
  return {
    source,
    bucket: values.bucket,
    prefix,
    tuning: { partSizeBytes: partSizeMb * 1024 * 1024, queueSize },
    hfEndpoint: parseHfEndpoint(env.HF_ENDPOINT),
    hfToken: env.HF_TOKEN || undefined,
    ...(values.diarization ? { diarization: true as const } : {}),
  };
}

function parseSource(repo?: string, revision?: string, localDir?: string): SourceOption {
  if (localDir !== undefined) {
    if (repo !== undefined || revision !== undefined) {
      throw new UsageError("give either --local-dir or --repo with --revision, not both");
    }
    if (localDir === "") throw new UsageError("--local-dir must not be empty");
    return { kind: "local", dir: localDir };
  }
  if (repo === undefined) throw new UsageError("give --repo <org/name> with --revision <commit>, or --local-dir <dir>");
  // Hub repository ids: an optional owner and a name, letters, digits, `._-`, no `..`.
  if (!/^(?:[A-Za-z0-9][A-Za-z0-9._-]*\/)?[A-Za-z0-9][A-Za-z0-9._-]*$/.test(repo) || repo.includes("..")) {
    throw new UsageError(
      `--repo must be a Hugging Face repository id like "Systran/faster-whisper-large-v3", got "${repo}"`,
    );
  }
  if (revision === undefined) {
    throw new UsageError("--revision is required with --repo: a full 40-hex commit, so the model in S3 never drifts");
  }
  if (!/^[0-9a-fA-F]{40}$/.test(revision)) {
    throw new UsageError(`--revision must be a full 40-hex commit (branches and tags move), got "${revision}"`);
  }
  return { kind: "hub", repo, revision: revision.toLowerCase() };
}

function integerOption(flag: string, raw: string, min: number, max: number): number {
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw new UsageError(`${flag} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function parseHfEndpoint(raw: string | undefined): string {
  if (!raw) return DEFAULT_HF_ENDPOINT;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`HF_ENDPOINT must be an http(s) URL, got "${raw}"`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new UsageError(`HF_ENDPOINT must be an http(s) URL, got "${raw}"`);
  }
  return raw.replace(/\/+$/, "");
}
