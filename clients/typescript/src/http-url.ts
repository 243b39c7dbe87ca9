import { UsageError } from "./errors";

/**
 * An http(s) URL given as `what` (a flag or an environment variable), returned without a trailing slash. `plain`
 * also refuses a query or fragment; `example` shows a good value in the message.
 */
export function httpUrl(raw: string, what: string, example: string, options: { plain?: boolean } = {}): string {
  const shape = `an http(s) URL${options.plain ? " without query" : ""}, such as ${example}`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`${what} must be ${shape}, got "${raw}"`);
  }
  if (!["http:", "https:"].includes(url.protocol) || (options.plain && (url.search || url.hash))) {
    throw new UsageError(`${what} must be ${shape}, got "${raw}"`);
  }
  return url.href.replace(/\/+$/, "");
}
