import assert from "node:assert/strict";
import { parseSince } from "../../scripts/cost/days";
import { costReport, costRow, formatTable } from "../../scripts/cost/report";

// The cost arithmetic on made-up numbers, worked out by hand in the comments.
describe("cost report arithmetic", function () {
  it("turns one day's sums into hours, dollars, $ per audio hour, speed, queue wait and the Transcribe price", function () {
    // 90 instance samples = 90 instance-minutes = 1.5 h; at $0.80/h = $1.20. 7,200 s of audio = 2 audio hours,
    // so $0.60 per audio hour; Transcribe would charge 2 x $1.44 = $2.88. 7,200 s of audio in 240 s = 30x.
    // Queue: 12 s over 8 requests = 1.5 s mean.
    const row = costRow(
      "2026-11-24",
      {
        requests: 10,
        audioSeconds: 7200,
        processingSeconds: 240,
        queueSecondsSum: 12,
        queueSecondsCount: 8,
        coldStarts: 2,
        instanceSamples: 90,
      },
      0.8,
    );
    assert.deepEqual(row, {
      day: "2026-11-24",
      requests: 10,
      audioHours: 2,
      instanceHours: 1.5,
      dollars: 1.2000000000000002,
      dollarsPerAudioHour: 0.6000000000000001,
      xRealtime: 30,
      meanQueueSeconds: 1.5,
      coldStarts: 2,
      transcribeDollars: 2.88,
    });
  });

  it("leaves what was not measured null, never 0: no samples means an unknown cost, no audio no $ per audio hour", function () {
    const nothing = costRow("2026-11-23", {}, 0.8);
    for (const [key, value] of Object.entries(nothing)) if (key !== "day") assert.equal(value, null, key);
    // An idle instance: 30 minutes paid, nothing transcribed. The $0.40 is real; $ per audio hour has no meaning.
    const idle = costRow("2026-11-22", { instanceSamples: 30 }, 0.8);
    assert.equal(idle.dollars, 0.4);
    assert.equal(idle.dollarsPerAudioHour, null);
    assert.equal(idle.requests, null);
    // Audio without instance samples (metrics missing): the audio counts, the cost stays unknown.
    const unpaid = costRow("2026-11-21", { audioSeconds: 3600, processingSeconds: 0 }, 0.8);
    assert.equal(unpaid.audioHours, 1);
    assert.equal(unpaid.dollars, null);
    assert.equal(unpaid.dollarsPerAudioHour, null);
    assert.equal(unpaid.xRealtime, null, "no division by a zero processing time");
  });

  it("totals over the days with data: idle cost counts against the audio of the busy days", function () {
    const days = ["2026-11-22", "2026-11-23", "2026-11-24"];
    const byDay = new Map([
      ["2026-11-22", { instanceSamples: 30 }],
      ["2026-11-24", { requests: 4, audioSeconds: 5400, processingSeconds: 180, instanceSamples: 60 }],
    ]);
    const report = costReport(days, byDay, 1);
    assert.deepEqual(
      report.days.map((d) => d.day),
      days,
    );
    assert.equal(report.days[1].dollars, null, "the day without data stays unknown");
    // 90 instance-minutes = $1.50 at $1/h, for 1.5 audio hours: $1.00 per audio hour (the idle half hour included).
    assert.equal(report.total.instanceHours, 1.5);
    assert.equal(report.total.dollars, 1.5);
    assert.equal(report.total.audioHours, 1.5);
    assert.equal(report.total.dollarsPerAudioHour, 1);
    assert.equal(report.total.requests, 4);
    assert.equal(report.total.xRealtime, 30);
    assert.equal(report.total.meanQueueSeconds, null);
    assert.equal(report.total.coldStarts, null);
  });

  it("prints n/a for what was not measured, and the total last", function () {
    const report = costReport(["2026-11-23", "2026-11-24"], new Map([["2026-11-24", { instanceSamples: 60 }]]), 2);
    const lines = formatTable(report).split("\n");
    assert.match(lines[0], /^day\s+requests\s+audio h\s+instance h\s+\$\s+\$\/audio h\s+x realtime/);
    assert.match(lines[2], /^2026-11-23\s+n\/a\s+n\/a\s+n\/a\s+n\/a\s+n\/a/);
    assert.match(lines[3], /^2026-11-24\s+n\/a\s+n\/a\s+1\.00\s+2\.00\s+n\/a/);
    assert.match(lines[5], /^total\s+n\/a\s+n\/a\s+1\.00\s+2\.00\s+n\/a/);
  });

  it("--since Nd is the N whole UTC days ending today; anything else is refused", function () {
    const window = parseSince("3d", new Date("2026-11-25T15:00:00Z"));
    assert.deepEqual(window.days, ["2026-11-23", "2026-11-24", "2026-11-25"]);
    assert.equal(window.start.toISOString(), "2026-11-23T00:00:00.000Z");
    assert.equal(window.end.toISOString(), "2026-11-26T00:00:00.000Z");
    for (const bad of ["0d", "7", "1w", "456d", "-1d", "d"]) assert.throws(() => parseSince(bad), /--since must be/);
  });
});
