/** The shipped sample used when no --audio is given: espeak-ng speech, 6.9 s, AAC in MP4 (m4a). */
import { join } from "node:path";

export const SAMPLE_AUDIO = join(__dirname, "..", "..", "fixtures", "audio", "speech.m4a");
