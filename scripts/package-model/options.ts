/**
 * Command line and environment of the package-model CLI, parsed and validated up front (UsageError, exit 2).
 */
import { numberOption, parseCli, type CliSpec } from "../cli-kit/args";
import { httpUrl } from "../../clients/typescript/src/http-url";
import { UsageError } from "../../clients/typescript/src/errors";
import type { UploadTuning } from "./s3-store";

/** Default key prefix inside the bucket. */
export const DEFAULT_PREFIX = "models/";
/** Default Hugging Face endpoint when HF_ENDPOINT is unset. */
export const DEFAULT_HF_ENDPOINT = "https://huggingface.co";
/** Default multipart part size in MiB: 3.1 GB of large-v3 in ~47 parts, 64 MiB of memory per part in flight. */
export const DEFAULT_PART_SIZE_MB = 64;
/** Default number of parts uploaded in parallel. */
export const DEFAULT_QUEUE_SIZE = 4;
/** S3's part size limits (5 MiB to 5 GiB), and the most parts in flight at once. */
const MIN_PART_SIZE_MB = 5;
const MAX_PART_SIZE_MB = 5120;
const MAX_QUEUE_SIZE = 32;

/** The command line: generated help (`--help`, `-h`) like every CLI here. */
export const PACKAGE_MODEL_CLI: CliSpec = {
  usage: [
    "Usage:",
    "  package-model --repo <org/name> --revision <40-hex commit> --bucket <bucket> [options]",
    "  package-model --local-dir <dir> --bucket <bucket> [options]",
    "",
    "Streams a CTranslate2 Whisper model (model.bin, config.json, tokenizer.json, vocabulary.*,",
    "preprocessor_config.json) into s3://<bucket>/<prefix><repo>/<revision>/ (local directory:",
    "<prefix>local/<dir name>/<content hash>/), verifying size and sha256, skipping files already",
    "uploaded intact. Prints the S3 prefix URI on stdout; progress and logs go to stderr.",
  ].join("\n"),
  options: {
    repo: {
      type: "string",
      value: "<org/name>",
      help: "Hugging Face model repository, e.g. Systran/faster-whisper-large-v3",
    },
    revision: {
      type: "string",
      value: "<commit>",
      help: "full 40-hex commit of --repo (branches and tags move, so they are refused)",
    },
    "local-dir": {
      type: "string",
      value: "<dir>",
      help: "upload this local model directory instead of a hub repository",
    },
    bucket: { type: "string", value: "<name>", help: "destination S3 bucket (required)" },
    prefix: { type: "string", value: "<prefix>", help: `key prefix, "" or ending in "/" (default: ${DEFAULT_PREFIX})` },
    "part-size-mb": {
      type: "string",
      value: "<n>",
      help: `multipart part size in MiB, ${MIN_PART_SIZE_MB}..${MAX_PART_SIZE_MB} (default: ${DEFAULT_PART_SIZE_MB})`,
    },
    "queue-size": {
      type: "string",
      value: "<n>",
      help: `parts uploaded in parallel, 1..${MAX_QUEUE_SIZE} (default: ${DEFAULT_QUEUE_SIZE})`,
    },
    diarization: {
      type: "boolean",
      help: "also upload the speaker-diarization models (pinned sherpa-onnx exports, 34 MB) into diarization/",
    },
    help: { type: "boolean", short: "h", help: "show this help" },
  },
  notes: [
    "Environment:",
    "  HF_TOKEN      Hugging Face token for private or gated repositories",
    `  HF_ENDPOINT   hub base URL (default: ${DEFAULT_HF_ENDPOINT})`,
    "  AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL ...   the standard AWS SDK configuration",
    "",
    "Exit codes: 0 done, 1 packaging failed, 2 usage error, 130 interrupted.",
  ].join("\n"),
};

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

/**
 * Parses argv; returns "help" after writing the help to `printHelp`. Throws UsageError naming the flag or variable
 * at fault.
 */
export function parseCliOptions(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  printHelp?: (text: string) => void,
): CliOptions | "help" {
  const parsed = parseCli(PACKAGE_MODEL_CLI, argv, printHelp);
  if (!parsed) return "help";
  // Read as given: each flag's own check below names the problem (and --prefix "" is the bucket's root).
  const raw = (name: string) => parsed.values[name] as string | undefined;
  const source = parseSource(raw("repo"), raw("revision"), raw("local-dir"));
  const bucket = raw("bucket");
  if (!bucket) throw new UsageError("--bucket is required");
  // S3 bucket naming rules (lower-case letters, digits, dots, hyphens; 3-63 characters).
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
    throw new UsageError(`--bucket must be a valid S3 bucket name, got "${bucket}"`);
  }
  const prefix = raw("prefix") ?? DEFAULT_PREFIX;
  if (prefix !== "" && (!prefix.endsWith("/") || prefix.startsWith("/") || prefix.includes("//"))) {
    throw new UsageError(
      `--prefix must be "" or a key prefix like "models/" (no leading slash, trailing slash), got "${prefix}"`,
    );
  }
  const partSizeMb =
    numberOption(parsed.values, "part-size-mb", { min: MIN_PART_SIZE_MB, max: MAX_PART_SIZE_MB }) ??
    DEFAULT_PART_SIZE_MB;
  const queueSize = numberOption(parsed.values, "queue-size", { min: 1, max: MAX_QUEUE_SIZE }) ?? DEFAULT_QUEUE_SIZE;
  return {
    source,
    bucket,
    prefix,
    tuning: { partSizeBytes: partSizeMb * 1024 * 1024, queueSize },
    hfEndpoint: env.HF_ENDPOINT ? httpUrl(env.HF_ENDPOINT, "HF_ENDPOINT", DEFAULT_HF_ENDPOINT) : DEFAULT_HF_ENDPOINT,
    hfToken: env.HF_TOKEN || undefined,
    ...(parsed.values.diarization ? { diarization: true as const } : {}),
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
