/**
 * The package-model command: options -> source -> packageModel -> the URI on stdout. Returns the exit code
 * (0 done, 1 failed, 2 usage, 130 interrupted) instead of exiting, so tests can call it in-process.
 */
import type { S3Client } from "@aws-sdk/client-s3";
import { withDiarizationModels } from "./diarization-models";
import { ExitCode, UsageError, messageWithCause } from "../../clients/typescript/src/errors";
import { formatMegabytes } from "../cli-kit/progress";
import { PackageError } from "./errors";
import { openHubSource } from "./hub-source";
import { openLocalSource } from "./local-source";
import { parseCliOptions, type CliOptions } from "./options";
import { packageModel } from "./package";
import { defaultS3Client } from "./s3-store";
import type { ModelSource } from "./source";

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Aborted on SIGINT/SIGTERM by the entry script. */
  readonly signal?: AbortSignal;
  /** Defaults to the standard AWS SDK chain. */
  readonly s3?: S3Client;
  readonly progressIntervalMs?: number;
}

export async function runCli(argv: readonly string[], env: NodeJS.ProcessEnv, io: CliIo): Promise<number> {
  const log = (line: string) => io.stderr(`package-model: ${line}\n`);
  const usageError = (error: UsageError) => {
    io.stderr(`package-model: ${error.message}\nRun with --help for usage.\n`);
    return ExitCode.UsageOrTimeout;
  };
  let options: CliOptions | "help";
  try {
    options = parseCliOptions(argv, env, (help) => io.stdout(`${help}\n`));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    return usageError(error);
  }
  if (options === "help") return ExitCode.Ok;
  try {
    const model = await openSource(options, log, io);
    const source = options.diarization
      ? withDiarizationModels(model, { endpoint: options.hfEndpoint, token: options.hfToken })
      : model;
    const totalBytes = source.files.reduce((sum, file) => sum + file.size, 0);
    log(
      `${source.files.length} model files, ${formatMegabytes(totalBytes)}: ` +
        source.files.map((file) => file.path).join(", "),
    );
    const result = await packageModel({
      source,
      s3: io.s3 ?? defaultS3Client(),
      bucket: options.bucket,
      prefix: options.prefix,
      tuning: options.tuning,
      log,
      progressIntervalMs: io.progressIntervalMs,
      signal: io.signal,
    });
    io.stdout(`${result.uri}\n`);
    return ExitCode.Ok;
  } catch (error) {
    // A flag that parses but names something unusable (a --local-dir that is no directory).
    if (error instanceof UsageError) return usageError(error);
    if (io.signal?.aborted) {
      log(`interrupted: ${messageWithCause(error)}`);
      return ExitCode.Interrupted;
    }
    log(error instanceof PackageError ? error.message : `failed: ${messageWithCause(error)}`);
    return ExitCode.Failed;
  }
}

function openSource(options: CliOptions, log: (line: string) => void, io: CliIo): Promise<ModelSource> {
  const { progressIntervalMs, signal } = io;
  if (options.source.kind === "local") return openLocalSource(options.source.dir, log, progressIntervalMs, signal);
  log(`listing ${options.source.repo}@${options.source.revision} on ${options.hfEndpoint}`);
  return openHubSource(
    { endpoint: options.hfEndpoint, token: options.hfToken },
    options.source.repo,
    options.source.revision,
    signal,
  );
}
