/**
 * The step scale-in as the program emits it (the surplus alarm's metric queries, threshold, periods and missing-data
 * rule, and its policy's step and cooldown), run minute by minute on traces of what the endpoint publishes: a
 * trickle, a burst, an update with a job in flight. A step that happens in a minute with any request queued or
 * running may cut that request (AWS does not say which instance a lower DesiredInstanceCount stops), so none may.
 *
 * What this does not prove: CloudWatch's own evaluation (the simulation follows its documented M-of-N rule and
 * treats a missing value by treatMissingData), nor the lag between a minute and its datapoint.
 */
import { strict as assert } from "node:assert";
import { DEFAULTS } from "../../components/config";
import { loadProgram, type Inputs, type Recorded } from "./mocks";
import { stackConfig } from "./stacks";
import { evaluateMath } from "../support/metric-math";

/** One minute as CloudWatch sees it. */
interface Minute {
  /** ApproximateBacklogSize (Maximum): requests queued or running; undefined when SageMaker reported none. */
  readonly backlog: number | undefined;
  /** Instances of ANOTHER fleet publishing CPUUtilization under the same names (the old fleet during an update). */
  readonly otherFleet?: number;
}

interface Step {
  readonly minute: number;
  readonly backlog: number | undefined;
  readonly from: number;
  readonly to: number;
}

const COMPARE: Record<string, (value: number, threshold: number) => boolean> = {
  GreaterThanOrEqualToThreshold: (v, t) => v >= t,
  GreaterThanThreshold: (v, t) => v > t,
  LessThanThreshold: (v, t) => v < t,
  LessThanOrEqualToThreshold: (v, t) => v <= t,
};

/** The alarm's value for one minute: every query in order, metrics from the trace, expressions evaluated. */
function alarmValue(queries: Inputs[], metrics: Record<string, number | undefined>): number | undefined {
  const values: Record<string, number | undefined> = {};
  for (const query of queries) {
    if (query.metric) {
      assert.ok(query.id in metrics, `the trace has no value for metric query ${query.id}`);
      values[query.id] = metrics[query.id];
    } else {
      values[query.id] = evaluateMath(query.expression, values);
    }
  }
  const returned = queries.filter((q) => q.returnData);
  assert.equal(returned.length, 1);
  return values[returned[0].id];
}

/**
 * Runs the surplus alarm and its step policy over `trace` from `desired` instances: each minute the alarm reads
 * the backlog and the instances publishing (the fleet plus any other fleet), goes to ALARM when datapointsToAlarm
 * of the last evaluationPeriods minutes breach, and in ALARM the policy steps once its cooldown has passed.
 */
function simulate(alarm: Inputs, policy: Inputs, minCapacity: number, desired: number, trace: Minute[]): Step[] {
  const config = policy.stepScalingPolicyConfiguration;
  assert.equal(config.adjustmentType, "ChangeInCapacity");
  const [{ scalingAdjustment }] = config.stepAdjustments;
  const cooldownMinutes = config.cooldown / 60;
  const breaches: boolean[] = [];
  const steps: Step[] = [];
  let lastStep = -Infinity;
  trace.forEach((minute, t) => {
    const publishing = desired + (minute.otherFleet ?? 0);
    const value = alarmValue(alarm.metricQueries, {
      backlog: minute.backlog,
      // No instance publishes: no datapoint at all.
      instances: publishing > 0 ? publishing : undefined,
    });
    assert.equal(alarm.treatMissingData, "notBreaching");
    breaches.push(value !== undefined && COMPARE[alarm.comparisonOperator](value, alarm.threshold));
    const window = breaches.slice(-alarm.evaluationPeriods);
    const inAlarm = window.filter(Boolean).length >= alarm.datapointsToAlarm;
    if (inAlarm && t - lastStep >= cooldownMinutes) {
      const to = Math.max(minCapacity, desired + scalingAdjustment);
      if (to !== desired) {
        steps.push({ minute: t, backlog: minute.backlog, from: desired, to });
        desired = to;
        lastStep = t;
      }
    }
  });
  return steps;
}

const minutes = <M>(count: number, minute: (t: number) => M): M[] => Array.from({ length: count }, (_, t) => minute(t));

describe("step scale-in on minute-by-minute traces", function () {
  let alarm: Inputs;
  let policy: Inputs;
  let minCapacity: number;

  before(async function () {
    const { resources } = await loadProgram(stackConfig("prod"));
    const of = (type: string) => resources.filter((r: Recorded) => r.type === type);
    const surplus = of("aws:cloudwatch/metricAlarm:MetricAlarm").find((a) => a.name.endsWith("-surplus"))!;
    alarm = surplus.inputs;
    const [action] = alarm.alarmActions as string[];
    policy = of("aws:appautoscaling/policy:Policy").find((p) => action.endsWith(`scalingPolicy:${p.name}`))!.inputs;
    minCapacity = of("aws:appautoscaling/target:Target")[0].inputs.minCapacity;
  });

  const assertNoJobCut = (steps: Step[]) => {
    for (const step of steps) {
      assert.ok(
        !step.backlog,
        `minute ${step.minute}: stepped ${step.from} -> ${step.to} with ${step.backlog} queued or running`,
      );
    }
  };

  it("a trickle (a request every 3 minutes on 3 instances) holds the fleet, which shrinks once it pauses", function () {
    const trace = [
      // A short request every third minute; SageMaker reports no backlog datapoint in some quiet minutes.
      ...minutes(30, (t) => ({ backlog: t % 3 === 0 ? 1 : t % 2 === 0 ? 0 : undefined })),
      ...minutes(20, () => ({ backlog: 0 })),
    ];
    const steps = simulate(alarm, policy, minCapacity, 3, trace);
    assertNoJobCut(steps);
    assert.deepEqual(
      steps.map((s) => [s.minute, s.to]),
      [
        [32, 2],
        [37, 1],
      ],
      "the last request at minute 27, 5 quiet minutes, then one step per cooldown, down to one instance",
    );
  });

  it("a burst drains on the fleet it scaled out to; steps begin only when nothing is left", function () {
    const trace = [
      ...minutes(10, () => ({ backlog: 40 })),
      // The last jobs finish one by one on the fleet that took them: 3, 2, 1 running on 4 instances.
      ...[32, 24, 16, 8, 4, 3, 2, 1, 1, 0].map((backlog) => ({ backlog })),
      ...minutes(15, () => ({ backlog: undefined })),
    ];
    const steps = simulate(alarm, policy, minCapacity, 4, trace);
    assertNoJobCut(steps);
    assert.equal(steps[0].minute, 23, "the first step after the 5 minutes from the backlog's first 0 (minute 19)");
    assert.deepEqual(
      steps.map((s) => s.to),
      [3, 2, 1],
    );
  });

  it("an update with a job in flight: both fleets publish, the count reads 2, and nothing is removed", function () {
    // One instance runs an hour-long file; the new fleet's instance publishes beside it for 20 minutes.
    const trace = minutes(25, (t) => ({ backlog: 1, otherFleet: t < 20 ? 1 : 0 }));
    assert.deepEqual(simulate(alarm, policy, minCapacity, 1, trace), []);
  });

  it("an update with nothing queued may remove the last instance early, cutting nothing", function () {
    // The doubled count makes 1 look like 2: the step goes to 0 before idleMinutes, with no request to lose (the
    // next request brings an instance back through the from-zero path).
    const trace = minutes(10, () => ({ backlog: 0, otherFleet: 1 }));
    const steps = simulate(alarm, policy, minCapacity, 1, trace);
    assertNoJobCut(steps);
    assert.deepEqual(
      steps.map((s) => [s.minute, s.to]),
      [[4, 0]],
    );
  });

  it("evaluates CloudWatch's missing-data rules: arithmetic on a missing value is missing, FILL replaces it", function () {
    assert.equal(evaluateMath("instances - 1", { instances: undefined }), undefined);
    assert.equal(evaluateMath("IF(FILL(backlog, 0) > 0, 0, instances - 1)", { backlog: undefined, instances: 3 }), 2);
    assert.equal(evaluateMath("IF(backlog > 0, 0, 1)", { backlog: undefined }), undefined);
    assert.throws(() => evaluateMath("MAX(backlog)", { backlog: 1 }), /unsupported function MAX/);
  });
});

/** One minute of the idle path: what SageMaker and the instances publish (undefined: no datapoint). */
interface IdleMinute {
  readonly backlog: number | undefined;
  /** Instances publishing CPUUtilization (0 while the only instance still boots, or with none). */
  readonly instances: number;
}

/**
 * Runs the idle alarm (whatever its form: one metric or metric math) and its ExactCapacity policy over `trace`,
 * which starts when the endpoint is created. CloudWatch evaluates a new alarm over the periods before it existed
 * too, so the window starts with evaluationPeriods minutes without any datapoint. Returns the minutes it stepped.
 */
function simulateIdle(alarm: Inputs, trace: IdleMinute[]): number[] {
  const valueOf = (minute: IdleMinute | undefined): number | undefined => {
    const backlog = minute?.backlog;
    const instances = minute && minute.instances > 0 ? minute.instances : undefined;
    if (alarm.metricQueries) return alarmValue(alarm.metricQueries, { backlog, instances });
    assert.equal(alarm.metricName, "ApproximateBacklogSize", "a single-metric idle alarm reads the backlog");
    return backlog;
  };
  const breaching = (value: number | undefined) =>
    value === undefined
      ? alarm.treatMissingData === "breaching"
      : COMPARE[alarm.comparisonOperator](value, alarm.threshold);
  const before: undefined[] = Array.from({ length: alarm.evaluationPeriods });
  const history = [...before, ...trace].map((minute) => breaching(valueOf(minute)));
  const steps: number[] = [];
  trace.forEach((_, t) => {
    const window = history.slice(t + 1, t + 1 + alarm.evaluationPeriods);
    if (window.filter(Boolean).length >= alarm.datapointsToAlarm) steps.push(t);
  });
  return steps;
}

describe("scale-in to minInstances on minute-by-minute traces", function () {
  let alarm: Inputs;
  let idleMinutes: number;

  before(async function () {
    const config = stackConfig("prod");
    const { resources } = await loadProgram(config);
    alarm = resources.find(
      (r) => r.type === "aws:cloudwatch/metricAlarm:MetricAlarm" && r.name.endsWith("-idle"),
    )!.inputs;
    idleMinutes = Number(config["whisper-async:idleMinutes"] ?? DEFAULTS.idleMinutes);
  });

  it("keeps a new endpoint's first instance for idleMinutes after it starts, not minutes after the deploy", function () {
    // The endpoint is created: its instance boots for 6 minutes (no sample), SageMaker reports no backlog yet.
    const trace = [
      ...minutes(6, () => ({ backlog: undefined, instances: 0 })),
      ...minutes(idleMinutes + 5, () => ({ backlog: 0, instances: 1 })),
    ];
    const steps = simulateIdle(alarm, trace);
    assert.equal(steps[0], 6 + idleMinutes - 1, "the first scale-in after idleMinutes of the instance running idle");
  });

  it("never scales in while a request is queued or running, and does once the fleet has been idle", function () {
    const trace = [
      ...minutes(20, () => ({ backlog: 1, instances: 1 })),
      // SageMaker may stop reporting an idle endpoint's backlog: a minute without it still counts as idle.
      ...minutes(idleMinutes + 2, (t) => ({ backlog: t % 2 === 0 ? 0 : undefined, instances: 1 })),
    ];
    assert.deepEqual(simulateIdle(alarm, trace).slice(0, 1), [20 + idleMinutes - 1]);
  });

  it("counts nothing while no instance runs: a stack at zero never reads as idle", function () {
    assert.deepEqual(
      simulateIdle(
        alarm,
        minutes(idleMinutes * 3, () => ({ backlog: 0, instances: 0 })),
      ),
      [],
    );
  });
});
