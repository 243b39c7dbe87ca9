import assert from "node:assert/strict";
import type { CliSpec } from "../../scripts/cli-kit/args";
import { optionsNpmTook, parseCliUnderNpm } from "../../scripts/cli-kit/npm-flags";

const spec: CliSpec = {
  usage: "Usage: npm start -- [options]",
  options: {
    audio: { type: "string", help: "file" },
    "model-dir": { type: "string", help: "model" },
    diarize: { type: "boolean", help: "speakers" },
  },
};
const UNDER_NPM_START = { npm_lifecycle_event: "start" };

describe("options typed without -- (npm keeps them)", () => {
  it("finds the command's options among npm's npm_config_* variables, only under npm", () => {
    const env = {
      ...UNDER_NPM_START,
      npm_config_audio: "true",
      npm_config_model_dir: "true",
      npm_config_diarize: "/usr",
    };
    assert.deepEqual(optionsNpmTook(spec, env), ["audio", "model-dir"]);
    assert.deepEqual(optionsNpmTook(spec, { npm_config_audio: "true" }), []);
  });

  it("npm start --audio x.ogg: a usage error naming the option and the command with --", () => {
    assert.throws(
      () => parseCliUnderNpm(spec, ["x.ogg"], { ...UNDER_NPM_START, npm_config_audio: "true" }),
      /^UsageError: npm took --audio for itself \(options go after `--`\): did you mean `npm start -- --audio \.\.\.`\?$/,
    );
  });

  it("a stray argument under npm gets the hint; outside npm the plain parse error", () => {
    assert.throws(
      () => parseCliUnderNpm(spec, ["vtt"], { npm_lifecycle_event: "smoke" }),
      /Unexpected argument 'vtt'.*; npm passes on only what follows `--`: did you mean `npm run smoke -- --<option> \.\.\.`\?/,
    );
    assert.throws(
      () => parseCliUnderNpm(spec, ["vtt"], {}),
      (error: Error) => !/npm passes/.test(error.message),
    );
  });

  it("options after -- parse as before", () => {
    const parsed = parseCliUnderNpm(spec, ["--audio", "x.ogg", "--diarize"], UNDER_NPM_START);
    assert.deepEqual({ ...parsed?.values }, { audio: "x.ogg", diarize: true });
  });
});
