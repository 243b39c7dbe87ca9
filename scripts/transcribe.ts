/**
 * Batch transcription: files and directories (recursively, audio/video by extension) through the async
 * endpoint or a local server, results written atomically to --out, finished files skipped on re-runs.
 * Exit codes: 0 all done, 1 a file failed, 2 usage error or (with no failure) a file timed out.
 */
import { numberOption, stringOption, type ParsedCli } from "./cli-kit/args";
import { ExitCode, UsageError } from "../clients/typescript/src/errors";
import { formatDuration } from "./cli-kit/progress";
import { runCommand } from "./cli-kit/run";
import { planBatch, prepareOutputDirectory } from "./client/batch-plan";
import { runBatch } from "./client/batch-run";
import { TRANSCRIPTION_CLI_OPTIONS, transcriptionOptionsFrom } from "./client/options";
import { TARGET_CLI_OPTIONS, transcriberFrom } from "./client/target";

/** Files in flight at once when --concurrency is not given. */
export const DEFAULT_CONCURRENCY = 4;

const spec = {
  usage: [
    "Usage: npm run transcribe -- FILES_OR_DIRS... --out DIR [options]",
    "",
    "Transcribes every audio/video file given (directories recursively) and writes <name>.<format> to DIR,",
    "mirroring the inputs' relative paths. Files whose result exists are skipped, so a re-run resumes.",
    "Exit codes: 0 all done, 1 some file failed, 2 usage error or a file timed out.",
  ].join("\n"),
  options: {
    out: { type: "string", value: "DIR", help: "Directory for the results (created). Required." },
    concurrency: {
      type: "string",
      value: "N",
      help: `Files in flight at once, 1..64. Default ${DEFAULT_CONCURRENCY}.`,
    },
    ...TRANSCRIPTION_CLI_OPTIONS,
    ...TARGET_CLI_OPTIONS,
  },
  positionals: true,
} as const;

async function main(parsed: ParsedCli): Promise<number> {
  const outDir = stringOption(parsed.values, "out");
  if (!outDir) throw new UsageError("--out DIR is required");
  const concurrency = numberOption(parsed.values, "concurrency", { min: 1, max: 64 }) ?? DEFAULT_CONCURRENCY;
  const options = transcriptionOptionsFrom(parsed.values);
  const { items, skipped } = await planBatch(parsed.positionals, outDir, options.format);
  const transcriber = await transcriberFrom(parsed.values);
  await prepareOutputDirectory(outDir);

  for (const { path, reason } of skipped) console.error(`transcribe: left out ${path}: ${reason}`);
  console.error(`transcribe: ${items.length} file(s) -> ${outDir} via ${transcriber.description}`);
  const started = Date.now();
  const outcome = await runBatch(items, transcriber, options, concurrency);

  const audio = outcome.audioSeconds > 0 ? `, ${formatDuration(outcome.audioSeconds)} of audio` : "";
  console.error(
    `${outcome.done} transcribed, ${outcome.skipped} skipped (result exists), ${outcome.failures.length} failed` +
      `${audio} in ${formatDuration((Date.now() - started) / 1000)}`,
  );
  if (outcome.failures.length === 0) return ExitCode.Ok;
  console.error("Failed:");
  for (const failure of outcome.failures) console.error(`  ${failure.item.displayName}: ${failure.message}`);
  return outcome.failures.every((failure) => failure.timedOut) ? ExitCode.UsageOrTimeout : ExitCode.Failed;
}

runCommand(spec, main);
