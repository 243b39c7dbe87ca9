import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bundledModelDir, startLocalServer, type LocalServer } from "../../scripts/client/local-server";
import { repoRoot } from "../support/moto";
import { runCli, wordErrorRate } from "./helpers";

// Local mode end to end: the real Python server (tiny.en on CPU, 127.0.0.1) and the real CLIs.
const FIXTURES = join(repoRoot, "fixtures", "audio");
const EXPECTED: string = JSON.parse(readFileSync(join(FIXTURES, "transcripts.json"), "utf8"))["speech.m4a"];
/** tiny.en hears the synthetic speech almost perfectly; 0.2 leaves room for a CPU's int8 rounding. */
const MAX_WER = 0.2;

describe("local mode against the real server (tiny.en, CPU)", function () {
  this.timeout(120_000);
  let server: LocalServer;
  let out: string;

  before(async () => {
    server = await startLocalServer({ modelDir: await bundledModelDir() });
    out = await mkdtemp(join(tmpdir(), "local-mode-"));
  });
  after(async () => {
    await server?.stop();
    if (out) await rm(out, { recursive: true, force: true });
  });

  let lastStderr = "";

  /** Transcribes the m4a sample with `transcribe --local` in `format` and returns the result file. */
  async function transcribeAs(format: string): Promise<string> {
    const run = await runCli("transcribe.ts", [
      join(FIXTURES, "speech.m4a"),
      "--out",
      join(out, format),
      "--format",
      format,
      "--local",
      server.url,
    ]);
    assert.equal(run.code, 0, run.stderr);
    lastStderr = run.stderr;
    assert.deepEqual(await readdir(join(out, format)), [`speech.${format}`]);
    return readFile(join(out, format, `speech.${format}`), "utf8");
  }

  it("json: the server's JSON with text, duration and segments", async () => {
    const result = JSON.parse(await transcribeAs("json"));
    assert.ok(wordErrorRate(EXPECTED, result.text) <= MAX_WER, result.text);
    assert.equal(result.language, "en");
    assert.ok(result.duration > 5 && result.duration < 10, `duration ${result.duration}`);
    assert.ok(result.segments.length >= 1);
    assert.match(lastStderr, /done speech\.m4a \([^\n]*, language en \(probability 1\.00\), English-only model\)/);
  });

  it("txt: the plain transcript", async () => {
    const text = await transcribeAs("txt");
    assert.ok(wordErrorRate(EXPECTED, text) <= MAX_WER, text);
  });

  it("srt: numbered cues with comma-millisecond timestamps", async () => {
    const srt = await transcribeAs("srt");
    assert.match(srt, /^1\r?\n\d\d:\d\d:\d\d,\d{3} --> \d\d:\d\d:\d\d,\d{3}\r?\n/);
    const text = srt.replace(/^\d+$|^.* --> .*$/gm, " ");
    assert.ok(wordErrorRate(EXPECTED, text) <= MAX_WER, srt);
  });

  it("vtt: a WEBVTT header and dot-millisecond timestamps", async () => {
    const vtt = await transcribeAs("vtt");
    assert.match(vtt, /^WEBVTT\r?\n\r?\n(?:\d+\r?\n)?\d\d:\d\d:\d\d\.\d{3} --> \d\d:\d\d:\d\d\.\d{3}/);
    const text = vtt.replace(/^WEBVTT$|^\d+$|^.* --> .*$/gm, " ");
    assert.ok(wordErrorRate(EXPECTED, text) <= MAX_WER, vtt);
  });

  it("smoke --local prints the transcript, and the server's rejection of a non-audio file exits 1", async () => {
    const ok = await runCli("smoke-test.ts", ["--local", server.url, "--language", "en"]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.ok(wordErrorRate(EXPECTED, ok.stdout) <= MAX_WER, ok.stdout);
    assert.match(ok.stderr, /audio: +\d+\.\d s, [\d.]+x realtime/);

    const bad = await runCli("smoke-test.ts", ["--local", server.url, "--audio", join(FIXTURES, "image.png")]);
    assert.equal(bad.code, 1, bad.stderr);
    assert.match(bad.stderr, /transcription failed: .*\(unsupported_media\) \[HTTP 415\]/);
  });

  it("npm start's runner starts its own server, prints the transcript and stops it", async () => {
    const run = await runCli("local.ts", []);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(wordErrorRate(EXPECTED, run.stdout) <= MAX_WER, run.stdout);
    const url = /local server (http:\/\/127\.0\.0\.1:\d+)/.exec(run.stderr)?.[1];
    assert.ok(url, run.stderr);
    await assert.rejects(fetch(`${url}/ping`), "the server must be gone once the runner exits");
  });

  it("npm start -- --format json prints the server's JSON, not only its text", async () => {
    const run = await runCli("local.ts", ["--format", "json"]);
    assert.equal(run.code, 0, run.stderr);
    const result = JSON.parse(run.stdout);
    assert.ok(wordErrorRate(EXPECTED, result.text) <= MAX_WER, result.text);
    assert.ok(result.segments.length >= 1 && result.duration > 5, run.stdout);
  });
});
