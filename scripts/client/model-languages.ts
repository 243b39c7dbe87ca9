/** Whether a model directory holds an English-only Whisper, so local runs can say so before it misleads. */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Tokens in the vocabulary of a multilingual Whisper (51865; large-v3 has 51866). English-only models (tiny.en,
 * base.en ...) have one fewer: the test CTranslate2 and faster-whisper use for `is_multilingual`.
 */
const MULTILINGUAL_VOCABULARY = 51865;

/** true for an English-only model, false for a multilingual one, undefined when the directory does not say. */
export function isEnglishOnlyModel(modelDir: string): boolean | undefined {
  const vocabulary = join(modelDir, "vocabulary.txt");
  if (!existsSync(vocabulary)) return undefined;
  // One token a line; a token may itself be empty, so lines are counted, not non-empty lines.
  const text = readFileSync(vocabulary, "utf8");
  const tokens = text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
  return tokens < MULTILINGUAL_VOCABULARY;
}

/**
 * The one warning a local run prints (stderr) when its model is English-only and it is asked about audio such a
 * model cannot judge: a language hint other than English, or a model chosen by --model-dir (or MODEL_DIR) rather
 * than the multilingual default. Undefined when there is nothing to say.
 */
export function englishOnlyWarning(
  modelDir: string,
  language: string | undefined,
  chosen: boolean,
): string | undefined {
  if (isEnglishOnlyModel(modelDir) !== true) return undefined;
  if (language !== undefined && language !== "en") {
    return `warning: ${modelDir} is an English-only model: it cannot transcribe --language ${language}; leave out --model-dir for the multilingual default`;
  }
  if (chosen) {
    return `warning: ${modelDir} is an English-only model: speech in any other language comes out as English words (the JSON says "multilingual": false); leave out --model-dir for the multilingual default`;
  }
  return undefined;
}
