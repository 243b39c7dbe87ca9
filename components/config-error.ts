/** A setting the service refuses; the message names the argument (or the `whisper-async:` key) and what it takes. */
export class ConfigError extends Error {}
