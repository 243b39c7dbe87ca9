/**
 * package-model: streams a pinned Hugging Face revision (or a local directory) of a CTranslate2 Whisper model
 * into an S3 prefix, verified and idempotent, and prints the prefix URI. See docs/model-artifact.md.
 *
 *   node_modules/.bin/tsx scripts/package-model.ts --repo Systran/faster-whisper-large-v3 \
 *     --revision edaa852ec7e145841d8ffdb056a99866b5f0a478 --bucket my-bucket
 */
import { SIGNAL_GRACE_MS, interruptOnSignals, runMain } from "./cli-kit/run";
import { runCli } from "./package-model/cli";

const interrupt = interruptOnSignals((signal) =>
  process.stderr.write(`package-model: ${signal}, aborting the upload in progress\n`),
);

// The aborted upload cleans up its parts before the process exits; whatever the abort leaves hanging, the process
// ends SIGNAL_GRACE_MS after the signal (a second one does not hurry it: the next run cleans up what is left).
runMain(
  () =>
    runCli(process.argv.slice(2), process.env, {
      stdout: (text) => process.stdout.write(text),
      stderr: (text) => process.stderr.write(text),
      signal: interrupt.signal,
    }),
  { signalGraceMs: SIGNAL_GRACE_MS, waitForPendingWork: true },
);
