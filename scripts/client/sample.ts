/** The shipped sample used when no --audio is given: espeak-ng speech, 6.9 s, AAC in MP4 (m4a). */
import { join } from "node:path";

export const SAMPLE_AUDIO = join(__dirname, "..", "..", "fixtures", "audio", "speech.m4a");

/**
 * The diarization models committed for the tests (pyannote segmentation-3.0 and CAM++ as ONNX, converted by
 * inference/tools/convert_diarization_models.py); `npm start` gives them to the bundled tiny.en model so
 * `--diarize` works locally too.
 */
export const SAMPLE_DIARIZATION_DIR = join(__dirname, "..", "..", "fixtures", "diarization", "models");
