/** What counts as an audio/video file, and the Content-Type each one is sent with. */
import { extname } from "node:path";

/**
 * Extensions the batch CLI picks up when it walks directories, with the Content-Type sent to the endpoint.
 * The server decodes by content (PyAV), so the type is informative; unknown files go as application/octet-stream.
 */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".aac": "audio/aac",
  ".aif": "audio/aiff",
  ".aiff": "audio/aiff",
  ".amr": "audio/amr",
  ".flac": "audio/flac",
  ".m4a": "audio/mp4",
  ".mp3": "audio/mpeg",
  ".oga": "audio/ogg",
  ".ogg": "audio/ogg",
  ".opus": "audio/ogg",
  ".wav": "audio/wav",
  ".wma": "audio/x-ms-wma",
  ".3gp": "video/3gpp",
  ".avi": "video/x-msvideo",
  ".m4v": "video/mp4",
  ".mkv": "video/x-matroska",
  ".mov": "video/quicktime",
  ".mp4": "video/mp4",
  ".mpeg": "video/mpeg",
  ".mpg": "video/mpeg",
  ".webm": "video/webm",
};

/** True when the file name has one of the audio/video extensions above (case-insensitive). */
export function isMediaFile(path: string): boolean {
  return extname(path).toLowerCase() in CONTENT_TYPES;
}

/** Content-Type for a file, from its extension; application/octet-stream when unknown. */
export function contentTypeFor(path: string): string {
  return CONTENT_TYPES[extname(path).toLowerCase()] ?? "application/octet-stream";
}
