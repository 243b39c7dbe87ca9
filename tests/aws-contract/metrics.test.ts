/**
 * Every alarm, dashboard widget and scaling policy of every example stack reads a metric with exactly the dimensions
 * SageMaker publishes it with (published-metrics.ts), and the check reports planted mistakes.
 */
import { strict as assert } from "node:assert";
import { loadProgram, type Recorded } from "../program/mocks";
import { exampleStacks } from "../program/stacks";
import { metricUses, metricViolations } from "./metric-uses";
import { awsRecords } from "./python";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const DASHBOARD = "aws:cloudwatch/dashboard:Dashboard";

describe("CloudWatch metrics against the reviewed table of what SageMaker publishes", function () {
  for (const stack of exampleStacks()) {
    it(`${stack.title}: every alarm, widget and scaling metric is published with its dimensions`, async function () {
      const { resources } = await loadProgram(stack.config);
      const uses = metricUses(resources);
      const sources = new Set(uses.map((u) => u.where.split(" ")[0]));
      for (const r of resources.filter((r) => r.type === ALARM || r.type === DASHBOARD)) {
        assert.ok(sources.has(r.name), `${r.name} reads at least one metric`);
      }
      assert.deepEqual(metricViolations(resources), []);
    });
  }

  describe("reports planted mistakes", function () {
    let resources: Recorded[];
    before(async function () {
      ({ resources } = await loadProgram(exampleStacks()[0].config));
    });
    // Component records hold resource objects in their args, a function its code archive: the checks read only the
    // AWS resources' JSON inputs, so copy those.
    const edited = (edit: (copy: Recorded[]) => void) => {
      const copy = awsRecords(resources);
      edit(copy);
      return copy;
    };
    const endpoint = () => resources.find((r) => r.type === "aws:sagemaker/endpoint:Endpoint")!.inputs.name;

    it("an alarm on InvocationFailures with EndpointName only (published per variant)", function () {
      const planted = edited((copy) =>
        copy.push({
          type: ALARM,
          name: "planted",
          inputs: {
            namespace: "AWS/SageMaker",
            metricName: "InvocationFailures",
            dimensions: { EndpointName: endpoint() },
          },
        }),
      );
      assert.deepEqual(metricViolations(planted), [
        `planted: AWS/SageMaker InvocationFailures [EndpointName]: published with [EndpointName, VariantName] only (https://docs.aws.amazon.com/sagemaker/latest/dg/async-inference-monitor.html)`,
      ]);
    });

    it("a backlog metric with a VariantName, a metric async endpoints do not publish, and a foreign endpoint", function () {
      const planted = edited((copy) => {
        const dashboard = copy.find((r) => r.type === DASHBOARD)!;
        const body: Json = JSON.parse(dashboard.inputs.dashboardBody);
        body.widgets[0].properties.metrics.push(
          ["AWS/SageMaker", "ApproximateBacklogSize", "EndpointName", endpoint(), "VariantName", "whisper"],
          ["AWS/SageMaker", "Invocations", ".", ".", ".", "."],
          ["AWS/SageMaker", "HasBacklogWithoutCapacity", "EndpointName", "someone-elses-endpoint"],
        );
        dashboard.inputs.dashboardBody = JSON.stringify(body);
      });
      const violations = metricViolations(planted);
      assert.equal(violations.length, 3, violations.join("\n"));
      assert.match(
        violations[0],
        /ApproximateBacklogSize \[EndpointName, VariantName\]: published with \[EndpointName\] only/,
      );
      assert.match(violations[1], /Invocations \[EndpointName, VariantName\]: not a metric SageMaker publishes/);
      assert.match(violations[2], /EndpointName someone-elses-endpoint is not this program's endpoint/);
    });

    it("a scaling metric in a metric math alarm with a misspelled name", function () {
      const planted = edited((copy) => {
        const alarm = copy.find((r) => r.type === ALARM && r.inputs.metricQueries !== undefined)!;
        alarm.inputs.metricQueries[0].metric.metricName = "ApproximateBacklogSizePerInstanse";
      });
      assert.match(metricViolations(planted).join("\n"), /ApproximateBacklogSizePerInstanse .*not a metric/);
    });

    it("accepts a metric the program publishes itself through a log metric filter, with the filter's dimensions", function () {
      const planted = edited((copy) => {
        copy.push({
          type: "aws:cloudwatch/logMetricFilter:LogMetricFilter",
          name: "filter",
          inputs: {
            metricTransformation: {
              namespace: "Whisper/Cost",
              name: "AudioSeconds",
              dimensions: { EndpointName: "$.e" },
            },
          },
        });
        copy.push({
          type: ALARM,
          name: "own",
          inputs: { namespace: "Whisper/Cost", metricName: "AudioSeconds", dimensions: { EndpointName: endpoint() } },
        });
      });
      assert.deepEqual(metricViolations(planted), []);
      const wrong = structuredClone(planted);
      wrong[wrong.length - 1].inputs.dimensions = {};
      assert.equal(metricViolations(wrong).length, 1);
    });
  });
});
