/**
 * Model source: one pinned revision of a Hugging Face model repository.
 *
 * Metadata comes from the hub's tree API (`GET /api/models/{repo}/tree/{revision}`, paginated through the
 * `Link: <...>; rel="next"` header), whose entries are `{type, path, size, oid, lfs?: {oid, size}}`:
 * `lfs.oid` is the sha256 of an LFS file, `oid` the git blob id of a file kept in git. Bytes come from
 * `GET /{repo}/resolve/{revision}/{path}`, which redirects LFS files to a CDN (fetch follows it and, per
 * the fetch standard, drops the Authorization header when the redirect leaves the hub's origin).
 */
import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { backoffDelay, sleep } from "../../clients/typescript/src/backoff";
import { PackageError } from "./errors";
import { assertLoadableModel, isModelFile } from "./model-files";
import type { ModelFile, ModelSource } from "./source";

/** Where and how to reach the hub. */
export interface HubConnection {
  /** Base URL without trailing slash, e.g. `https://huggingface.co` (env HF_ENDPOINT). */
  readonly endpoint: string;
  /** Access token for private or gated repositories (env HF_TOKEN); sent as `Authorization: Bearer`. */
  readonly token?: string;
}

/** One entry of the hub's tree API. */
interface TreeEntry {
  readonly type: string;
  readonly path: string;
  readonly size: number;
  readonly oid: string;
  readonly lfs?: { readonly oid: string; readonly size: number };
}

/** Attempts for a request that failed before any body byte arrived (network error, 429, 5xx). */
const REQUEST_ATTEMPTS = 3;
/** Pause before retry n: full jitter up to 0.5 s, 1 s, 2 s ... */
const RETRY_BASE_MS = 500;

/**
 * Most tree pages read for one listing. A Whisper repository lists a dozen files on one page; a hub (or a proxy in
 * HF_ENDPOINT) whose `next` links never end must not keep the CLI busy forever.
 */
export const MAX_TREE_PAGES = 100;

/** Lists the model files of `repo` at `revision` and returns a source that streams them; `signal` stops the listing. */
export async function openHubSource(
  hub: HubConnection,
  repo: string,
  revision: string,
  signal?: AbortSignal,
): Promise<ModelSource> {
  const entries = await listTree(hub, repo, revision, signal);
  const files = entries.filter((entry) => entry.type === "file" && isModelFile(entry.path)).map(toModelFile);
  try {
    assertLoadableModel(
      files.map((file) => file.path),
      `${repo}@${revision}`,
    );
  } catch (error) {
    throw new PackageError((error as Error).message);
  }
  return {
    identity: { type: "huggingface", repo, revision },
    keyPath: `${repo}/${revision}`,
    files,
    open: (file, signal) => download(hub, repo, revision, file, signal),
  };
}

function toModelFile(entry: TreeEntry): ModelFile {
  if (entry.lfs) {
    if (!/^[0-9a-f]{64}$/.test(entry.lfs.oid)) {
      throw new PackageError(`hub metadata for ${entry.path} has no valid LFS sha256 (got ${entry.lfs.oid})`);
    }
    return { path: entry.path, size: entry.lfs.size, sha256: entry.lfs.oid };
  }
  if (!/^[0-9a-f]{40}$/.test(entry.oid)) {
    throw new PackageError(`hub metadata for ${entry.path} has no valid git blob id (got ${entry.oid})`);
  }
  return { path: entry.path, size: entry.size, gitBlobOid: entry.oid };
}

/**
 * All entries of the tree, page by page. The `next` links are followed only on the hub's own origin (the token goes
 * with every request, and must never go anywhere else), never to a page already read, and for at most
 * MAX_TREE_PAGES pages.
 */
async function listTree(
  hub: HubConnection,
  repo: string,
  revision: string,
  signal?: AbortSignal,
): Promise<TreeEntry[]> {
  const what = `list ${repo}@${revision}`;
  const origin = new URL(hub.endpoint).origin;
  const entries: TreeEntry[] = [];
  const seen = new Set<string>();
  let url: string | undefined = `${hub.endpoint}/api/models/${repo}/tree/${revision}`;
  while (url) {
    if (new URL(url).origin !== origin) {
      throw new PackageError(`${what}: the hub's next-page link leads to another origin (${url}); not following it`);
    }
    if (seen.has(url))
      throw new PackageError(`${what}: the hub's next-page link returns to a page already read (${url})`);
    if (seen.size >= MAX_TREE_PAGES) {
      throw new PackageError(`${what}: more than ${MAX_TREE_PAGES} pages of files; not a Whisper model repository`);
    }
    seen.add(url);
    const response = await request(hub, url, what, repo, revision, signal);
    const page = (await response.json()) as unknown;
    if (!Array.isArray(page)) throw new PackageError(`unexpected answer from ${url}: not a list of files`);
    entries.push(...(page as TreeEntry[]));
    url = nextPageUrl(response.headers.get("link"), url);
  }
  return entries;
}

/** The `rel="next"` target of an RFC 8288 Link header, resolved against the current URL. */
export function nextPageUrl(link: string | null, current: string): string | undefined {
  if (!link) return undefined;
  for (const part of link.split(",")) {
    const match = /<([^>]*)>\s*;(.*)/.exec(part.trim());
    if (match && /\brel="?next"?/.test(match[2])) return new URL(match[1], current).toString();
  }
  return undefined;
}

function download(
  hub: HubConnection,
  repo: string,
  revision: string,
  file: ModelFile,
  signal: AbortSignal,
): Promise<Readable> {
  return openHubFile(hub, repo, revision, file.path, signal);
}

/** Streams `path` of `repo` at `revision` (retried before the body starts, hub errors explained). */
export async function openHubFile(
  hub: HubConnection,
  repo: string,
  revision: string,
  path: string,
  signal: AbortSignal,
): Promise<Readable> {
  const url = `${hub.endpoint}/${repo}/resolve/${revision}/${path.split("/").map(encodeURIComponent).join("/")}`;
  const response = await request(hub, url, `download ${path}`, repo, revision, signal);
  if (!response.body) throw new PackageError(`download ${path}: the hub sent no body`);
  return Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
}

/** GET with the token, redirects followed, retries before the body starts, and hub errors explained. */
async function request(
  hub: HubConnection,
  url: string,
  what: string,
  repo: string,
  revision: string,
  signal?: AbortSignal,
): Promise<Response> {
  const headers: Record<string, string> = hub.token ? { authorization: `Bearer ${hub.token}` } : {};
  for (let attempt = 1; ; attempt++) {
    let response: Response;
    try {
      response = await fetch(url, { headers, redirect: "follow", signal });
    } catch (error) {
      if (signal?.aborted || attempt >= REQUEST_ATTEMPTS) {
        throw new PackageError(`${what}: cannot reach ${url}`, { cause: error });
      }
      await sleep(backoffDelay(attempt, 0, Infinity, Math.random, RETRY_BASE_MS));
      continue;
    }
    if (response.ok) return response;
    const transient = response.status === 429 || response.status >= 500;
    if (!transient || attempt >= REQUEST_ATTEMPTS || signal?.aborted) {
      await response.body?.cancel();
      throw new PackageError(`${what}: ${explainHubError(response, repo, revision, Boolean(hub.token))}`);
    }
    await response.body?.cancel();
    await sleep(backoffDelay(attempt, 0, Infinity, Math.random, RETRY_BASE_MS));
  }
}

/** Turns the hub's status and `X-Error-Code` header into advice the user can act on. */
export function explainHubError(response: Response, repo: string, revision: string, hasToken: boolean): string {
  const code = response.headers.get("x-error-code");
  const hubMessage = response.headers.get("x-error-message");
  const detail = `HTTP ${response.status}${code ? ` ${code}` : ""}${hubMessage ? `: ${hubMessage}` : ""}`;
  const tokenAdvice = hasToken
    ? "HF_TOKEN is set: check that it is valid and has read access to this repository"
    : "if the repository is private or gated, set HF_TOKEN to a token with read access";
  if (code === "RevisionNotFound") {
    return `revision ${revision} not found in ${repo} (${detail}); give a full 40-hex commit of this repository`;
  }
  if (code === "EntryNotFound") return `file not found in ${repo}@${revision} (${detail})`;
  if (code === "GatedRepo" || response.status === 403) {
    return `access to ${repo} denied (${detail}); accept the model's terms on the hub and ${tokenAdvice}`;
  }
  if (code === "RepoNotFound" || response.status === 401) {
    return `repository ${repo} not found or not accessible (${detail}); check the name, and ${tokenAdvice}`;
  }
  if (response.status === 404) {
    return `not found (${detail}); check the repository ${repo} and the revision ${revision}`;
  }
  return `the hub answered ${detail}`;
}
