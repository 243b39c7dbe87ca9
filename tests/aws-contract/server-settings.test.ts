/**
 * The program and the server agree on the server's settings: for every example stack, the Model environment the
 * program computes (serverEnvironment, over the image's own ENV) passes the server's settings parser and names no
 * unknown WHISPER_* variable, and the bounds the stack config checks at preview are the server fields' bounds.
 * The server owns the settings, so a renamed, removed or narrowed setting fails here, not at a container's start.
 */
import { strict as assert } from "node:assert";
import { loadStackConfig, SERVER_SETTING_BOUNDS } from "../../components/config";
import { serverEnvironment } from "../../components/server-environment";
import { exampleStacks } from "../program/stacks";
import { runChecker } from "./python";
import { DOCKERFILE, imageEnvironment } from "./sagemaker-container";

interface Finding {
  where: string;
  problem: string;
}

/** The container's environment on SageMaker: the image's ENV, then the Model's environment over it. */
function containerEnvironment(config: Record<string, string>): Record<string, string> {
  const stack = loadStackConfig((key) => config[`whisper-async:${key}`], config["aws:region"]);
  return { ...imageEnvironment(DOCKERFILE), ...serverEnvironment(stack) };
}

function check(environments: Record<string, Record<string, string>>, bounds: object = SERVER_SETTING_BOUNDS) {
  return runChecker<Finding[]>("server_settings_check.py", { environments, bounds });
}

describe("server settings contract (the server's own parser)", function () {
  it("accepts the Model environment of every example stack, and the stack's bounds are the server's", function () {
    const environments = Object.fromEntries(exampleStacks().map((s) => [s.title, containerEnvironment(s.config)]));
    assert.deepEqual(check(environments), []);
  });

  it("accepts every server setting a stack can set, at both ends of its bounds", function () {
    const dev = exampleStacks()[0].config;
    const edges = Object.fromEntries(
      (["min", "max"] as const).map((end) => [
        end,
        containerEnvironment({
          ...dev,
          "whisper-async:computeType": "int8_float16",
          "whisper-async:batchSize": String(SERVER_SETTING_BOUNDS.batchSize[end]),
          "whisper-async:beamSize": String(SERVER_SETTING_BOUNDS.beamSize[end]),
          "whisper-async:chunkSeconds": String(SERVER_SETTING_BOUNDS.chunkSeconds[end]),
          "whisper-async:minWindowSeconds": String(SERVER_SETTING_BOUNDS.minWindowSeconds[end]),
        }),
      ]),
    );
    assert.deepEqual(check(edges), []);
  });

  describe("reports planted disagreements", function () {
    const env = () => containerEnvironment(exampleStacks()[0].config);

    it("a setting the server does not have (a rename)", function () {
      const findings = check({ renamed: { ...env(), WHISPER_BEAM_WIDTH: "5" } });
      assert.deepEqual(findings, [
        { where: "renamed", problem: "WHISPER_BEAM_WIDTH is no server setting (the server would ignore it)" },
      ]);
    });

    it("a value the server refuses", function () {
      const findings = check({ refused: { ...env(), WHISPER_MAX_QUEUE: "0" } });
      assert.equal(findings.length, 1);
      assert.match(findings[0].problem, /^WHISPER_MAX_QUEUE: /);
    });

    it("stack bounds wider than the server's", function () {
      const bounds = { ...SERVER_SETTING_BOUNDS, beamSize: { setting: "WHISPER_BEAM_SIZE", min: 1, max: 32 } };
      assert.deepEqual(check({}, bounds), [
        { where: "bounds", problem: "beamSize: the stack allows 1-32, WHISPER_BEAM_SIZE allows 1-20" },
      ]);
    });
  });
});
