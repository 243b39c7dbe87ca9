/**
 * Speaker labels through all three CLIs in local mode: the real Python server (tiny.en on CPU, 127.0.0.1)
 * with the committed diarization models, on a two-voice fixture (fixtures/diarization).
 */
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startLocalServer, bundledModelDir, type LocalServer } from "../../scripts/client/local-server";
import { SAMPLE_DIARIZATION_DIR } from "../../scripts/client/sample";
import { repoRoot } from "../support/moto";
import { runCli } from "./helpers";

const TWO_VOICES = join(repoRoot, "fixtures", "diarization", "two_speakers.flac");
/** The fixture's six turns alternate between the two voices. */
const TURNS = ["S1", "S2", "S1", "S2", "S1", "S2"];

/** The `S<n>` label each printed `S<n>: text` line starts with. */
const speakerOfEachLine = (stdout: string) =>
  stdout
    .trim()
    .split("\n")
    .map((line) => line.split(":")[0]);

describe("speaker labels in local mode (tiny.en + diarization models, CPU)", function () {
  this.timeout(240_000);
  let server: LocalServer;
  let out: string;

  before(async () => {
    server = await startLocalServer({
      modelDir: await bundledModelDir(),
      env: { WHISPER_DIARIZATION_DIR: SAMPLE_DIARIZATION_DIR },
    });
    out = await mkdtemp(join(tmpdir(), "local-speakers-"));
  });
  after(async () => {
    await server?.stop();
    if (out) await rm(out, { recursive: true, force: true });
  });

  it("transcribe --diarize --format vtt writes voice spans", async () => {
    const run = await runCli("transcribe.ts", [
      TWO_VOICES,
      ...["--out", out, "--format", "vtt", "--diarize", "--local", server.url],
    ]);
    assert.equal(run.code, 0, run.stderr);
    const vtt = await readFile(join(out, "two_speakers.vtt"), "utf8");
    const voices = [...vtt.matchAll(/^<v (S\d+)>/gm)].map((match) => match[1]);
    assert.deepEqual([...new Set(voices)].sort(), ["S1", "S2"], vtt);
  });

  it("smoke --speakers 2 prints the transcript as S1:/S2: turns", async () => {
    const run = await runCli("smoke-test.ts", ["--local", server.url, "--audio", TWO_VOICES, "--speakers", "2"]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(speakerOfEachLine(run.stdout), TURNS, run.stdout);
  });

  it("npm start's runner lends the bundled model the committed diarization models", async () => {
    const run = await runCli("local.ts", ["--audio", TWO_VOICES, "--diarize", "--format", "txt"]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(speakerOfEachLine(run.stdout), TURNS, run.stdout);
  });
});
