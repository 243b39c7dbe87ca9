import assert from "node:assert/strict";
import { parseCli } from "../../scripts/cli-kit/args";
import { UsageError } from "../../clients/typescript/src/errors";
import { transcriptionOptionsFrom, TRANSCRIPTION_CLI_OPTIONS } from "../../scripts/client/options";
import { customAttributesFor } from "../../clients/typescript/src/options";
import { describeFailure } from "../../clients/typescript/src/formats";

const spec = { usage: "test", options: TRANSCRIPTION_CLI_OPTIONS };
const optionsFrom = (argv: string[]) => transcriptionOptionsFrom(parseCli(spec, argv)!.values);

describe("transcription options -> custom attributes", () => {
  it("sends only what was given, with the server's keys, and defaults format and timeout", () => {
    const options = optionsFrom(["--language", "EN", "--no-vad", "--word-timestamps", "--beam-size", "3"]);
    assert.equal(options.format, "json");
    assert.equal(options.timeoutSeconds, 1200);
    assert.equal(customAttributesFor(options.decoding), "language=en;word_timestamps=true;vad=false;beam_size=3");
    assert.equal(customAttributesFor(optionsFrom([]).decoding), undefined);
  });

  it("percent-encodes text so prompts may hold ; = and non-ASCII (the server decodes them)", () => {
    const options = optionsFrom(["--initial-prompt", "Zoë; a=b", "--temperature", "0.2"]);
    assert.equal(customAttributesFor(options.decoding), "temperature=0.2;initial_prompt=Zo%C3%AB%3B%20a%3Db");
  });

  it("refuses custom attributes beyond SageMaker's 1024 characters", () => {
    assert.doesNotThrow(() => optionsFrom(["--hotwords", "x".repeat(1000)]));
    assert.throws(() => optionsFrom(["--hotwords", "x".repeat(1020)]), /1029 characters .* allows 1024/);
  });

  it("names the option in every validation error", () => {
    const bad: [string[], RegExp][] = [
      [["--beam-size", "21"], /--beam-size must be an integer from 1 to 20, got "21"/],
      [["--batch-size", "2.5"], /--batch-size must be an integer from 1 to 128/],
      [["--temperature", "1.5"], /--temperature must be a number from 0 to 1/],
      [["--timeout", "0"], /--timeout must be a number >= 1/],
      [["--task", "summarize"], /--task must be one of transcribe, translate/],
      [["--language", "english"], /--language must be a language code/],
      [["--initial-prompt", " "], /--initial-prompt needs a non-empty value/],
      [["--no-help"], /--no-help is not an option/],
    ];
    for (const [argv, message] of bad) {
      assert.throws(
        () => optionsFrom(argv),
        (error: unknown) => error instanceof UsageError && message.test(error.message),
      );
    }
  });
});

describe("describeFailure", () => {
  it("reads the server's JSON error, also inside SageMaker's wrapping text, else shows the raw text", () => {
    assert.equal(describeFailure('{"error":"too_long","message":"audio is 5 h"}'), "audio is 5 h (too_long)");
    assert.equal(
      describeFailure('Received client error (413) from primary with message "{"error":"too_long","message":"big"}".'),
      "big (too_long)",
    );
    assert.equal(describeFailure("  Worker died  \n"), "Worker died");
    assert.match(describeFailure(""), /empty message/);
  });
});
