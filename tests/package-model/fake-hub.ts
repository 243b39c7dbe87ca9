/**
 * A fake Hugging Face hub on 127.0.0.1 speaking the two APIs package-model uses, with the real shapes:
 * - `GET /api/models/{repo}/tree/{revision}`: entries `{type, oid, size, path, lfs?: {oid, size, pointerSize}}`,
 *   paginated with `Link: <...?cursor=N>; rel="next"`;
 * - `GET /{repo}/resolve/{revision}/{path}`: git files served directly, LFS files by a 302 to a "CDN" on
 *   another origin (a second port), as the real hub redirects to its CDN;
 * - errors as the hub sends them: 401 + `X-Error-Code: RepoNotFound` for a missing or private repository,
 *   404 + `RevisionNotFound` / `EntryNotFound`.
 * Faults for tests: serve a file corrupted (same length, one byte flipped) or drop the connection midway.
 */
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeHubFile {
  readonly path: string;
  readonly content: Buffer;
  /** Stored with git LFS: listed with `lfs.oid` = sha256 and downloaded through a redirect. */
  readonly lfs?: boolean;
}

export interface FakeHubOptions {
  readonly repo: string;
  readonly revision: string;
  readonly files: readonly FakeHubFile[];
  /** When set, the repository is private: every request must carry `Authorization: Bearer <token>`. */
  readonly token?: string;
  /** Tree entries per page; default 2, so pagination is always exercised. */
  readonly pageSize?: number;
  /**
   * A misbehaving hub's `next` links: `self` links each page to itself, `cross-origin` sends the second page to the
   * other server (another origin), `endless` links every page to a new one. Default: the real hub's paging.
   */
  readonly pagination?: "self" | "cross-origin" | "endless";
  /** Milliseconds each tree page takes to answer. Default 0. */
  readonly pageDelayMs?: number;
}

export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly authorization?: string;
  /** The Host header: which of the two origins (hub, CDN) was asked. */
  readonly host?: string;
}

export interface FakeHub {
  readonly endpoint: string;
  /** The second origin (the CDN that LFS downloads redirect to). */
  readonly cdnEndpoint: string;
  readonly requests: RecordedRequest[];
  /** Paths served with one byte flipped. */
  readonly corrupt: Set<string>;
  /** Path -> number of bytes after which the connection is destroyed. */
  readonly dropAfter: Map<string, number>;
  /** Path -> number of bytes after which the response stalls (until the client gives up or the hub stops). */
  readonly stallAfter: Map<string, number>;
  /** How many times the content of `path` was served (fully or not). */
  contentRequests(path: string): number;
  stop(): Promise<void>;
}

export function sha256Hex(content: Buffer): string {
  return createHash("sha256").update(content).digest("hex");
}

function gitOid(content: Buffer): string {
  return createHash("sha1").update(`blob ${content.length}\0`).update(content).digest("hex");
}

function lfsPointer(content: Buffer): Buffer {
  return Buffer.from(
    `version https://git-lfs.github.com/spec/v1\noid sha256:${sha256Hex(content)}\nsize ${content.length}\n`,
  );
}

function treeEntry(file: FakeHubFile): object {
  if (!file.lfs) return { type: "file", oid: gitOid(file.content), size: file.content.length, path: file.path };
  const pointer = lfsPointer(file.content);
  return {
    type: "file",
    oid: gitOid(pointer),
    size: file.content.length,
    path: file.path,
    lfs: { oid: sha256Hex(file.content), size: file.content.length, pointerSize: pointer.length },
  };
}

export async function startFakeHub(options: FakeHubOptions): Promise<FakeHub> {
  const requests: RecordedRequest[] = [];
  const corrupt = new Set<string>();
  const dropAfter = new Map<string, number>();
  const stallAfter = new Map<string, number>();
  const served = new Map<string, number>();
  const pageSize = options.pageSize ?? 2;
  const entries = [
    { type: "directory", oid: "0".repeat(40), size: 0, path: "extras" },
    ...options.files.map(treeEntry),
  ];
  let endpoint = "";
  let cdnEndpoint = "";

  const fail = (res: ServerResponse, status: number, code: string, message: string) => {
    res.writeHead(status, { "x-error-code": code, "x-error-message": message, "content-type": "application/json" });
    res.end(JSON.stringify({ error: message }));
  };

  const sendContent = (res: ServerResponse, file: FakeHubFile) => {
    served.set(file.path, (served.get(file.path) ?? 0) + 1);
    let body = file.content;
    if (corrupt.has(file.path)) {
      body = Buffer.from(body);
      body[body.length >> 1] ^= 0xff;
    }
    res.writeHead(200, { "content-length": body.length, "content-type": "application/octet-stream" });
    const drop = dropAfter.get(file.path);
    const stall = stallAfter.get(file.path);
    if (drop !== undefined) res.write(body.subarray(0, drop), () => res.socket?.destroy());
    else if (stall !== undefined) res.write(body.subarray(0, stall));
    else res.end(body);
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    requests.push({
      method: req.method ?? "",
      url: req.url ?? "",
      authorization: req.headers.authorization,
      host: req.headers.host,
    });
    const url = new URL(req.url ?? "/", endpoint);
    const cdn = /^\/lfs-cdn\/([0-9a-f]{64})$/.exec(url.pathname);
    if (cdn) {
      // Like the real CDN, the signed redirect target needs no token.
      const file = options.files.find((candidate) => candidate.lfs && sha256Hex(candidate.content) === cdn[1]);
      return file ? sendContent(res, file) : fail(res, 404, "EntryNotFound", "no such object");
    }
    const authorized = !options.token || req.headers.authorization === `Bearer ${options.token}`;
    const tree = /^\/api\/models\/(.+)\/tree\/([^/]+)$/.exec(url.pathname);
    const resolve = /^\/(.+?)\/resolve\/([^/]+)\/(.+)$/.exec(decodeURIComponent(url.pathname));
    const match = tree ?? resolve;
    if (!match) return fail(res, 404, "NotFound", "unknown route");
    if (match[1] !== options.repo || !authorized) {
      return fail(res, 401, "RepoNotFound", "Repository not found");
    }
    if (match[2] !== options.revision) return fail(res, 404, "RevisionNotFound", `Invalid rev id: ${match[2]}`);
    if (tree) {
      const offset = Number(url.searchParams.get("cursor") ?? "0");
      const headers: Record<string, string> = { "content-type": "application/json" };
      const next = offset + pageSize;
      const nextPage = {
        self: `${endpoint}${url.pathname}${url.search}`,
        "cross-origin": `${cdnEndpoint}${url.pathname}?cursor=${next}`,
        endless: `${endpoint}${url.pathname}?cursor=${next}`,
      }[options.pagination ?? "endless"];
      if (options.pagination || next < entries.length) headers.link = `<${nextPage}>; rel="next"`;
      const answer = () => {
        res.writeHead(200, headers);
        res.end(JSON.stringify(entries.slice(offset, offset + pageSize)));
      };
      return options.pageDelayMs ? void setTimeout(answer, options.pageDelayMs) : answer();
    }
    const file = options.files.find((candidate) => candidate.path === match[3]);
    if (!file) return fail(res, 404, "EntryNotFound", `${match[3]} does not exist on "${match[2]}"`);
    if (file.lfs) {
      res.writeHead(302, { location: `${cdnEndpoint}/lfs-cdn/${sha256Hex(file.content)}` });
      return res.end();
    }
    sendContent(res, file);
  };

  const listen = async (server: Server) => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };
  const close = (server: Server) =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  const server = createServer(handle);
  const cdn = createServer(handle);
  endpoint = await listen(server);
  cdnEndpoint = await listen(cdn);
  return {
    endpoint,
    cdnEndpoint,
    requests,
    corrupt,
    dropAfter,
    stallAfter,
    contentRequests: (path) => served.get(path) ?? 0,
    stop: async () => {
      await Promise.all([close(server), close(cdn)]);
    },
  };
}
