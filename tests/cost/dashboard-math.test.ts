import assert from "node:assert/strict";
import { costExpressions } from "../../components/cost-widgets";
import { costRow, type DailyMetrics } from "../../scripts/cost/report";
import { evaluate } from "../support/arithmetic";

// The dashboard's metric-math expressions, run on made-up data points, give the CLI's figures for the same sums:
// one formula on both surfaces. What this does not prove: CloudWatch's own evaluation (no emulator runs metric math).
describe("dashboard metric math on made-up numbers", function () {
  const PRICE = 0.8;
  const math = costExpressions(PRICE);
  /** The dashboard's figures for one period, from the ids its expressions read. */
  const dashboard = (m: DailyMetrics) => {
    const ids = { audio: m.audioSeconds, samples: m.instanceSamples, busy: m.processingSeconds };
    return Object.fromEntries(Object.entries(math).map(([id, expression]) => [id, evaluate(expression, ids)]));
  };

  it("an hour with 2 audio hours, 90 instance-minutes and 240 s of processing: the CLI's figures", function () {
    const sums = { audioSeconds: 7200, instanceSamples: 90, processingSeconds: 240 };
    const shown = dashboard(sums);
    const row = costRow("hour", sums, PRICE);
    // 90 / 60 = 1.5 instance hours x $0.80 = $1.20 for 7,200 / 3,600 = 2 audio hours: $0.60 each; 7,200 / 240 = 30x.
    assert.deepEqual(shown, {
      audioHours: row.audioHours,
      instanceHours: row.instanceHours,
      dollars: row.dollars,
      dollarsPerAudioHour: row.dollarsPerAudioHour,
      xRealtime: row.xRealtime,
    });
    assert.deepEqual(
      [shown.audioHours, shown.instanceHours, shown.dollarsPerAudioHour?.toFixed(4), shown.xRealtime],
      [2, 1.5, "0.6000", 30],
    );
  });

  it("missing points stay missing: no samples, no cost; no audio, no $ per audio hour but the idle cost", function () {
    const noInstances = dashboard({ audioSeconds: 3600, processingSeconds: 100 });
    assert.equal(noInstances.dollars, undefined);
    assert.equal(noInstances.dollarsPerAudioHour, undefined);
    assert.equal(noInstances.audioHours, 1);
    const idle = dashboard({ instanceSamples: 30 });
    assert.equal(idle.dollars, 0.4);
    assert.equal(idle.dollarsPerAudioHour, undefined);
    assert.equal(idle.xRealtime, undefined);
  });

  it("the evaluator refuses what it cannot judge", function () {
    assert.throws(() => evaluate("IF(audio > 0, audio)", { audio: 1 }), /unsupported|unexpected/);
    assert.throws(() => evaluate("FILL(audio, 0)", { audio: 1 }), /unsupported|unexpected/);
  });
});
