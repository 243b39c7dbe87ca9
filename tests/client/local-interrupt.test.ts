import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bundledModelDir } from "../../scripts/client/local-server";
import { repoRoot } from "../support/moto";
import { processGroupAlive, runCli } from "./helpers";

// Ctrl-C in `npm start` while the server is transcribing: the terminal sends SIGINT to the whole foreground process
// group (the script and its server); the run must say so, stop the server and exit 130 within a second, not
// finish the job, retry the server it stops, or wait out the server's 20 s job grace.

/** speech.wav repeated `times` times: a WAV long enough (minutes) to be still decoding when Ctrl-C comes. */
function longWav(times: number): Buffer {
  const wav = readFileSync(join(repoRoot, "fixtures", "audio", "speech.wav"));
  const dataAt = wav.indexOf("data", 12);
  const samples = wav.subarray(dataAt + 8, dataAt + 8 + wav.readUInt32LE(dataAt + 4));
  const header = Buffer.from(wav.subarray(0, dataAt + 8));
  const data = Buffer.concat(Array.from({ length: times }, () => samples));
  header.writeUInt32LE(data.length, dataAt + 4);
  header.writeUInt32LE(dataAt + data.length, 4);
  return Buffer.concat([header, data]);
}

describe("npm start: Ctrl-C while transcribing", function () {
  this.timeout(120_000);
  let work: string;
  before(async () => {
    work = await mkdtemp(join(tmpdir(), "local-interrupt-"));
    await writeFile(join(work, "long.wav"), longWav(40));
  });
  after(() => rm(work, { recursive: true, force: true }));

  it("says interrupted, kills the server and exits 130 within a second", async () => {
    let signalled = 0;
    let group = 0;
    const run = await runCli(
      "local.ts",
      ["--audio", join(work, "long.wav"), "--model-dir", await bundledModelDir(), "--language", "en"],
      {},
      {
        killAfterMs: 100_000,
        onStart: (child) => {
          group = child.pid!;
          child.stderr!.on("data", (chunk: Buffer) => {
            // The request is on its way once the script names the server it sends to.
            if (signalled === 0 && chunk.toString().includes("-> local server")) {
              signalled = -1;
              setTimeout(() => {
                signalled = Date.now();
                process.kill(-group, "SIGINT");
              }, 1500);
            }
          });
        },
      },
    );
    const stoppedAfterMs = Date.now() - signalled;
    assert.ok(signalled > 0, `never reached the request:\n${run.stderr}`);
    assert.equal(run.code, 130, run.stderr);
    assert.equal(run.stdout, "", "no transcript after Ctrl-C");
    assert.match(run.stderr, /start: interrupted \(SIGINT\)/);
    assert.doesNotMatch(run.stderr, /retrying/);
    assert.ok(stoppedAfterMs < 1000, `exited ${stoppedAfterMs} ms after SIGINT`);
    assert.equal(processGroupAlive(group), false, "the server (same process group) is gone");
  });
});
