/** The functions' settings travel as environment variables: what the stack sets is what a function reads back. */
import { strict as assert } from "node:assert";
import { environmentOf, loadSettings } from "../../functions/drop-folder/settings";
import { settingsFor } from "./support";

describe("drop folder: the functions' settings", function () {
  it("read back exactly what the stack sets", function () {
    const settings = settingsFor({ formats: ["vtt", "json"], defaultOptions: "language=de;diarize=true" });
    assert.deepEqual(loadSettings(environmentOf(settings)), settings);
  });

  it("refuse a missing or malformed variable, naming it", function () {
    const environment = environmentOf(settingsFor());
    assert.throws(() => loadSettings({ ...environment, DROP_BUCKET: undefined }), /DROP_BUCKET is not set/);
    assert.throws(
      () => loadSettings({ ...environment, DROP_RESULTS_PREFIX: "/results" }),
      /DROP_RESULTS_PREFIX must be a key prefix ending in '\/' \(no leading '\/'\), got "\/results"/,
    );
    assert.throws(
      () => loadSettings({ ...environment, DROP_FORMATS: "json,pdf" }),
      /DROP_FORMATS must list distinct formats of json, txt, srt, vtt, got "json,pdf"/,
    );
  });
});
