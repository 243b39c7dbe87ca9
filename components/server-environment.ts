import type { StackConfig } from "./config";

/**
 * The Model's container environment: only what the stack decides. The server owns its settings and their
 * defaults (inference/whisper_server/settings.py; the image sets WHISPER_DEVICE=cuda), so a setting the stack
 * leaves unset is not sent and the server's default, chosen by its benchmark, applies. A contract test feeds this
 * environment, for every example stack, to the server's own settings parser, so a renamed setting fails `npm test`.
 */
export function serverEnvironment(config: StackConfig): Record<string, string> {
  const environment: Record<string, string> = {
    WHISPER_MODEL_NAME: config.modelLocalDir ? "local" : `${config.modelRepo}@${config.modelRevision.slice(0, 12)}`,
    // SageMaker hands an instance up to this many requests at once: the server runs one and must hold the rest
    // (one slot to spare, for a request SageMaker sends while the previous one is still being answered).
    WHISPER_MAX_QUEUE: String(config.maxConcurrentInvocationsPerInstance),
  };
  // Speaker labels as the stack chose them; `off` sends nothing (the server's default is off, no models).
  if (config.speakerLabels !== "off") environment.WHISPER_DIARIZE = String(config.speakerLabels === "always");
  if (config.computeType !== undefined) environment.WHISPER_COMPUTE_TYPE = config.computeType;
  if (config.batchSize !== undefined) environment.WHISPER_BATCH_SIZE = String(config.batchSize);
  if (config.beamSize !== undefined) environment.WHISPER_BEAM_SIZE = String(config.beamSize);
  if (config.chunkSeconds !== undefined) environment.WHISPER_CHUNK_SECONDS = String(config.chunkSeconds);
  if (config.minWindowSeconds !== undefined) environment.WHISPER_MIN_WINDOW_SECONDS = String(config.minWindowSeconds);
  return environment;
}
