/**
 * Which files of a model repository or directory make up a CTranslate2 Whisper model.
 *
 * The list is faster-whisper's own download allow-list (`faster_whisper.utils.download_model`), so the S3
 * prefix holds exactly what `WhisperModel(MODEL_DIR)` reads and nothing else (no README, .gitattributes,
 * safetensors of other frameworks ...). Only top-level files count: faster-whisper loads no subfolder.
 */

/** Files without which faster-whisper cannot load the model. */
export const REQUIRED_MODEL_FILES = ["model.bin", "config.json"] as const;

const OPTIONAL_MODEL_FILES = new Set(["preprocessor_config.json", "tokenizer.json"]);

/** True when `path` (relative to the model root) belongs in the packaged model. */
export function isModelFile(path: string): boolean {
  if (path.includes("/")) return false;
  return (
    (REQUIRED_MODEL_FILES as readonly string[]).includes(path) ||
    OPTIONAL_MODEL_FILES.has(path) ||
    /^vocabulary\.[^.]+$/.test(path)
  );
}

/**
 * Throws with a message naming `where` when a required file is missing from `paths`.
 * @returns nothing; returning means the selection is loadable.
 */
export function assertLoadableModel(paths: readonly string[], where: string): void {
  const missing = REQUIRED_MODEL_FILES.filter((required) => !paths.includes(required));
  if (missing.length > 0) {
    throw new Error(
      `${where} is not a CTranslate2 Whisper model: missing ${missing.join(" and ")} ` +
        `(found: ${paths.length > 0 ? paths.join(", ") : "no model files"})`,
    );
  }
}
