/**
 * Checks a dropped object can only fail on, made before the endpoint is woken: its size, and whether its first
 * bytes are plainly not audio. Anything that might be audio goes to the server, which decodes it with FFmpeg and
 * answers 415 (an error file) if it cannot.
 */

/** Largest recording the drop folder submits: 1 GiB, SageMaker's async payload limit (the server's default too). */
export const MAX_RECORDING_BYTES = 1024 ** 3;
/** How many leading bytes {@link notAudioReason} looks at. */
export const SNIFF_BYTES = 4096;

/** A recording refused before it reaches the endpoint; `code` and `message` go into its error file. */
export class RecordingRefused extends Error {
  constructor(
    readonly code: "payload_too_large" | "empty_body" | "unsupported_media",
    message: string,
  ) {
    super(message);
  }
}

/** Throws {@link RecordingRefused} for an empty object or one larger than {@link MAX_RECORDING_BYTES}. */
export function checkSize(bytes: number): void {
  if (bytes === 0) throw new RecordingRefused("empty_body", "the recording is empty (0 bytes)");
  if (bytes > MAX_RECORDING_BYTES) {
    throw new RecordingRefused(
      "payload_too_large",
      `the recording is ${bytes} bytes, more than the ${MAX_RECORDING_BYTES} bytes (1 GiB) SageMaker's ` +
        "asynchronous inference takes: split it or compress it (e.g. to Opus or MP3)",
    );
  }
}

/** Leading bytes of files that are certainly not audio nor video, by what they are. */
const NOT_MEDIA: readonly [string, number[]][] = [
  ["a PDF document", [0x25, 0x50, 0x44, 0x46]],
  ["a PNG image", [0x89, 0x50, 0x4e, 0x47]],
  ["a JPEG image", [0xff, 0xd8, 0xff]],
  ["a GIF image", [0x47, 0x49, 0x46, 0x38]],
  ["a ZIP archive (or an Office document)", [0x50, 0x4b, 0x03, 0x04]],
  ["a gzip archive", [0x1f, 0x8b]],
];

/**
 * Why the object whose first bytes are `head` is not audio, or undefined when it may be. Text (UTF-8 without
 * control characters other than whitespace) is never audio: every audio container starts with binary bytes.
 */
export function notAudioReason(head: Uint8Array): string | undefined {
  for (const [what, magic] of NOT_MEDIA) {
    if (magic.every((byte, i) => head[i] === byte)) return `it is ${what}`;
  }
  // A cut at SNIFF_BYTES may split a UTF-8 character: leave the last 3 bytes out of the decode.
  const sample = head.length >= SNIFF_BYTES ? head.subarray(0, head.length - 3) : head;
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(sample);
  } catch {
    return undefined;
  }
  // eslint-disable-next-line no-control-regex
  if (!/[\x00-\x08\x0e-\x1f\x7f]/.test(text)) return "it is text";
  return undefined;
}
