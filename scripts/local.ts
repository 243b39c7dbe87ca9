/**
 * `npm start`: the whole path without AWS. Starts the Python server on 127.0.0.1 (CPU, a small model),
 * transcribes the shipped sample through the same client code as `--local`, prints the transcript and
 * stops the server, also on errors and Ctrl-C.
 */
import { existsSync } from "node:fs";
import { booleanOption, stringOption, type ParsedCli } from "./cli-kit/args";
import { UsageError } from "../clients/typescript/src/errors";
import { SIGNAL_GRACE_MS, interruptOnSignals, runCommand } from "./cli-kit/run";
import { LocalTranscriber } from "../clients/typescript/src/local-transcriber";
import { localModelDir, startLocalServer, type LocalServer } from "./client/local-server";
import { englishOnlyWarning } from "./client/model-languages";
import { TRANSCRIPTION_CLI_OPTIONS, transcriptionOptionsFrom } from "./client/options";
import { AUDIO_CLI_OPTION, SAMPLE_DIARIZATION_DIR, audioFileFrom } from "./client/sample";
import { runAndPrint } from "./client/single-job";

const spec = {
  usage: [
    "Usage: npm start -- [--audio FILE] [--model-dir DIR] [options]",
    "",
    "Runs the transcription server locally on CPU (127.0.0.1, a free port), transcribes FILE through it and",
    "stops it. Exit codes: 0 done, 1 failed, 2 usage error or timeout.",
  ].join("\n"),
  options: {
    audio: AUDIO_CLI_OPTION,
    "model-dir": {
      type: "string",
      value: "DIR",
      help: "CTranslate2 Whisper model. Default: $MODEL_DIR, else the multilingual Whisper base (see docs/languages.md).",
    },
    "server-log": { type: "boolean", help: "Show the server's log when it stops. Default: only on errors." },
    ...TRANSCRIPTION_CLI_OPTIONS,
  },
} as const;

async function main(parsed: ParsedCli): Promise<number> {
  const audio = audioFileFrom(parsed.values);
  const options = transcriptionOptionsFrom(parsed.values);
  const chosenDir = stringOption(parsed.values, "model-dir") ?? process.env.MODEL_DIR;
  const modelDir = await modelDirFor(chosenDir, options.decoding.language);
  // The local default has no diarization models beside it: lend it the committed ones for --diarize.
  const env: Record<string, string> =
    chosenDir === undefined && !process.env.WHISPER_DIARIZATION_DIR
      ? { WHISPER_DIARIZATION_DIR: SAMPLE_DIARIZATION_DIR }
      : {};

  // Ctrl-C (or a TERM) stops the server wherever we are, then the run unwinds and exits 130/143.
  const interrupted = interruptOnSignals();

  console.error(`start: loading ${modelDir} on CPU ...`);
  let server: LocalServer | undefined;
  try {
    server = await startLocalServer({ modelDir, env, signal: interrupted.signal });
    const transcriber = new LocalTranscriber(server.url);
    console.error(`start: ${audio} -> ${transcriber.description}`);
    const asReturned = parsed.values.format !== undefined;
    return await runAndPrint("start", (hooks) => transcriber.transcribe(audio, options, hooks), asReturned);
  } catch (error) {
    const exitSignal = interrupted.received();
    if (!exitSignal) throw error;
    console.error(`start: interrupted (${exitSignal}), server stopped`);
    return exitSignal === "SIGINT" ? 130 : 143;
  } finally {
    await server?.stop();
    if (server && booleanOption(parsed.values, "server-log")) console.error(server.log());
  }
}

/** The model of this run: the one chosen, else the multilingual default; warns once if it is English-only. */
async function modelDirFor(chosenDir: string | undefined, language: string | undefined): Promise<string> {
  const modelDir = chosenDir ?? (await localModelDir("multilingual"));
  if (!existsSync(modelDir)) throw new UsageError(`--model-dir: no such directory: ${modelDir}`);
  const warning = englishOnlyWarning(modelDir, language, chosenDir !== undefined);
  if (warning) console.error(`start: ${warning}`);
  return modelDir;
}

// main stops the server on a signal itself; SIGNAL_GRACE_MS covers its 10 s SIGTERM-then-SIGKILL.
runCommand(spec, main, { signalGraceMs: SIGNAL_GRACE_MS });
