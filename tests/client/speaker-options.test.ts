/** The speaker-label flags shared by transcribe, smoke and npm start, and how a labelled result reads. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseCli } from "../../scripts/cli-kit/args";
import { readableTranscript } from "../../clients/typescript/src/formats";
import { MAX_SPEAKERS, TRANSCRIPTION_CLI_OPTIONS, transcriptionOptionsFrom } from "../../scripts/client/options";
import { customAttributesFor } from "../../clients/typescript/src/options";
import { repoRoot } from "../support/moto";

const spec = { usage: "test", options: TRANSCRIPTION_CLI_OPTIONS };
const attributesOf = (argv: string[]) =>
  customAttributesFor(transcriptionOptionsFrom(parseCli(spec, argv)!.values).decoding);

describe("speaker-label flags", () => {
  it("send diarize and the counts with the server's keys; a count implies --diarize", () => {
    assert.equal(attributesOf(["--diarize"]), "diarize=true");
    assert.equal(attributesOf(["--no-diarize"]), "diarize=false");
    assert.equal(attributesOf(["--speakers", "3"]), "diarize=true;speakers=3");
    assert.equal(
      attributesOf(["--min-speakers", "2", "--max-speakers", "4"]),
      "diarize=true;min_speakers=2;max_speakers=4",
    );
    assert.equal(attributesOf([]), undefined, "off unless asked: the server's default applies");
    assert.equal(attributesOf(["--channels", "separate"]), "channels=separate");
  });

  it("refuse what the server would refuse, before anything is uploaded", () => {
    const bad: [string[], RegExp][] = [
      [["--speakers", "0"], /--speakers must be an integer from 1 to 32, got "0"/],
      [["--speakers", "33"], /--speakers must be an integer from 1 to 32/],
      [["--max-speakers", "1.5"], /--max-speakers must be an integer/],
      [["--speakers", "2", "--no-diarize"], /need speaker labels; drop --no-diarize/],
      [["--speakers", "2", "--max-speakers", "3"], /either --speakers or --min-speakers\/--max-speakers/],
      [["--min-speakers", "3", "--max-speakers", "2"], /--min-speakers \(3\) must not exceed --max-speakers \(2\)/],
      [["--channels", "both"], /--channels must be one of mixed, separate/],
      [["--channels", "separate", "--diarize"], /--channels separate labels each channel's speech/],
      [["--channels", "separate", "--speakers", "2"], /--channels separate labels each channel's speech/],
    ];
    for (const [argv, message] of bad) assert.throws(() => attributesOf(argv), message, argv.join(" "));
  });

  it("use the server's bound and option names", () => {
    const server = readFileSync(join(repoRoot, "inference", "whisper_server", "options.py"), "utf8");
    assert.match(server, new RegExp(`^MAX_SPEAKERS = ${MAX_SPEAKERS}$`, "m"));
    for (const key of ["diarize", "speakers", "min_speakers", "max_speakers", "channels"]) {
      assert.match(server, new RegExp(`^    "${key}": `, "m"), `${key} is a server option`);
    }
  });

  it("show a labelled JSON result as S1:/S2: turns, an unlabelled one as its text", () => {
    const labelled = JSON.stringify({
      text: "Hello. Hi. Bye.",
      segments: [
        { text: "Hello.", speaker: "S1" },
        { text: "Hi.", speaker: "S2" },
        { text: "Bye.", speaker: "S2" },
      ],
      speakers: [{ speaker: "S1", talk_time: 1 }],
    });
    assert.equal(readableTranscript(labelled, "json"), "S1: Hello.\nS2: Hi. Bye.");
    const plain = JSON.stringify({ text: " Hello. ", segments: [{ text: "Hello." }] });
    assert.equal(readableTranscript(plain, "json"), "Hello.");
  });
});
