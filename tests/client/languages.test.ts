import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { bundledModelDir, localModelDir } from "../../scripts/client/local-server";
import { englishOnlyWarning, isEnglishOnlyModel } from "../../scripts/client/model-languages";
import { languageLine } from "../../scripts/client/report";
import { repoRoot } from "../support/moto";
import { runCli } from "./helpers";

// npm start is multilingual by default; an English-only model says so. Real models, real server (CPU).
const MULTILINGUAL = join(repoRoot, "fixtures", "audio", "multilingual");
const JAPANESE: string = JSON.parse(readFileSync(join(MULTILINGUAL, "references.json"), "utf8"))[
  "multilingual/ja-1.ogg"
].text;

describe("languages in local runs", function () {
  this.timeout(180_000);

  it("tells an English-only model from a multilingual one by its vocabulary", async () => {
    assert.equal(isEnglishOnlyModel(await bundledModelDir()), true);
    assert.equal(isEnglishOnlyModel(await localModelDir("multilingual")), false);
    assert.equal(isEnglishOnlyModel(repoRoot), undefined);
  });

  it("warns about an English-only model only when it is asked about audio it cannot judge", async () => {
    const tiny = await bundledModelDir();
    assert.match(englishOnlyWarning(tiny, "de", false) ?? "", /English-only model: it cannot transcribe --language de/);
    assert.match(englishOnlyWarning(tiny, undefined, true) ?? "", /"multilingual": false/);
    assert.equal(englishOnlyWarning(tiny, "en", false), undefined);
    assert.equal(englishOnlyWarning(await localModelDir("multilingual"), "de", true), undefined);
  });

  it("prints the detected language of a JSON result", () => {
    const body = JSON.stringify({ text: "x", language: "ja", language_probability: 0.987, multilingual: true });
    assert.equal(languageLine({ body, format: "json" }), "language:     ja (probability 0.99)");
    const english = JSON.stringify({ text: "x", language: "en", language_probability: 1, multilingual: false });
    assert.equal(
      languageLine({ body: english, format: "json" }),
      "language:     en (probability 1.00), English-only model",
    );
    assert.equal(languageLine({ body: "x", format: "txt" }), undefined);
  });

  it("npm start transcribes Japanese with the multilingual default and names the language", async () => {
    const run = await runCli("local.ts", ["--audio", join(MULTILINGUAL, "ja-1.ogg")]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /language: +ja \(probability 0\.9\d|1\.00\)/);
    // Whisper base on this clip: one word misheard (先週 as 選手), all three sentences there.
    assert.ok(run.stdout.includes(JAPANESE.slice(0, 10)), run.stdout);
    assert.ok(run.stdout.includes(JAPANESE.slice(-10)), run.stdout);
    assert.doesNotMatch(run.stderr, /warning/);
  });

  it("npm start on an English-only --model-dir warns once", async () => {
    const run = await runCli("local.ts", ["--model-dir", await bundledModelDir(), "--format", "txt"]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr.match(/English-only model/g)?.length, 1, run.stderr);
  });
});
