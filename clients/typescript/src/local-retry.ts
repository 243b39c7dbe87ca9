/**
 * When local mode sends a file again. The server marks each error code `retryable` in its contract (a full queue,
 * a busy or stopping server), so those are retried until the file's `--timeout`; a connection that is refused or
 * cut (a server restarting mid-batch) is retried for up to 30 s of outage before files count as failed. Pauses grow
 * exponentially with full jitter, so many files waiting for one server do not retry in lockstep.
 */
import { backoffDelay } from "./backoff";
import { SERVER_ERRORS, type ServerErrorCode } from "./server-contract";

/**
 * How long the server may stay unreachable (refused or cut connections) before files count as failed: one outage
 * shared by every file in flight, so a server restarting mid-batch (loading its model) loses nothing, and a server
 * that is gone fails the rest of the batch at once after this long, not after this long per file.
 */
export const OUTAGE_TOLERANCE_MS = 30_000;
/** The first pause's ceiling; each further one doubles it (full jitter: a random time up to the ceiling). */
export const RETRY_BASE_MS = 500;
/** Longest pause between two tries, so a freed queue slot is taken soon. */
export const RETRY_MAX_DELAY_MS = 8000;

/** Socket errors after which the same request may succeed (the server was down, or went down mid-request). */
const CONNECTION_ERRORS = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "UND_ERR_SOCKET", "UND_ERR_CLOSED"]);

/** The `error` code of a failure body `{"error": code, ...}` when the contract marks it retryable. */
export function retryableErrorCode(body: string): ServerErrorCode | undefined {
  try {
    const { error } = JSON.parse(body) as { error?: unknown };
    if (typeof error === "string" && error in SERVER_ERRORS && SERVER_ERRORS[error as ServerErrorCode].retryable) {
      return error as ServerErrorCode;
    }
  } catch {
    // not the server's JSON: not retryable
  }
  return undefined;
}

/** The socket error code behind a failed fetch (`ECONNREFUSED` ...) when a retry may succeed. */
export function retryableConnectionError(error: unknown): string | undefined {
  for (let current = error; current; current = (current as { cause?: unknown }).cause) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && CONNECTION_ERRORS.has(code)) return code;
    if (current === (current as { cause?: unknown }).cause) break;
  }
  return undefined;
}

/** The pause before try number `attempt + 1`, after `attempt` tries failed. */
export function retryDelayMs(attempt: number, random: () => number = Math.random): number {
  return backoffDelay(attempt, 0, RETRY_MAX_DELAY_MS, random, RETRY_BASE_MS);
}
