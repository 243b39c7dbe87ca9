/**
 * The step scale-in alarm's metric math (surplusExpressions), run on made-up minutes: it finds a surplus only when
 * an instance is idle and the backlog needs fewer instances, and never lets the fleet fall below one instance
 * while anything is queued or running. The expressions are evaluated by translating CloudWatch's IF, FLOOR and
 * CEIL to JavaScript; any other syntax fails the test.
 */
import { strict as assert } from "node:assert";
import { surplusExpressions } from "../../components/scale-to-zero";

const FUNCTIONS: Record<string, string> = { IF: "IF", FILL: "FILL", FLOOR: "Math.floor", CEIL: "Math.ceil" };

/**
 * The value of the query `surplus` for one minute: `backlog` is ApproximateBacklogSize (undefined: no datapoint
 * that minute), `instances` the SampleCount of the instances' CPUUtilization.
 */
function surplus(target: number, instances: number, backlog: number | undefined): number {
  const values: Record<string, number | undefined> = { backlog, instances };
  for (const { id, expression } of surplusExpressions(target)) {
    const js = expression.replace(/[A-Za-z_][A-Za-z0-9_]*/g, (word) => {
      if (word in FUNCTIONS) return FUNCTIONS[word];
      if (word in values) return `v.${word}`;
      throw new Error(`unknown ${word} in ${expression}`);
    });
    assert.match(js, /^[\sA-Za-z.()0-9+\-*/<>,]*$/, `only arithmetic, comparisons and IF/FILL/CEIL: ${expression}`);
    const IF = (condition: boolean, whenTrue: number, whenFalse: number) => (condition ? whenTrue : whenFalse);
    const FILL = (value: number | undefined, fill: number) => value ?? fill;
    values[id] = new Function("v", "IF", "FILL", `return ${js};`)(values, IF, FILL) as number;
  }
  return values.surplus as number;
}

describe("step scale-in metric math", function () {
  it("removes instances a trickle does not need, down to one", function () {
    assert.equal(surplus(4, 4, 1), 3, "one request on four instances: three can go (one at a time)");
    assert.equal(surplus(4, 2, 1), 1);
    assert.equal(surplus(4, 1, 1), 0, "never below one instance while a request is queued or running");
  });

  it("counts the minutes between a trickle's requests, backlog 0 or not reported, as surplus", function () {
    assert.equal(surplus(4, 3, 0), 2, "an empty backlog on three instances: two can go");
    assert.equal(surplus(4, 3, undefined), 2, "a minute without a backlog datapoint is an empty backlog");
    assert.equal(surplus(4, 1, 0), 0, "the last instance is the idle path's to remove");
  });

  it("keeps ceil(backlog / target) instances", function () {
    assert.equal(surplus(1, 4, 3), 1, "target 1: three requests keep three of four");
    assert.equal(surplus(2, 4, 3), 2, "target 2: three requests keep two of four");
  });

  it("never shrinks a fleet whose instances may all be busy (backlog >= instances)", function () {
    assert.equal(surplus(4, 3, 3), 0);
    assert.equal(surplus(4, 3, 10), 0);
    assert.equal(surplus(4, 2, 2), 0);
  });

  it("finds no surplus without instances (the from-zero path decides)", function () {
    assert.equal(surplus(4, 0, 0), 0);
    assert.equal(surplus(4, 0, 2), 0);
  });
});
