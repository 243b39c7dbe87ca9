/**
 * The step scale-in alarm's metric math (surplusExpressions), run on made-up minutes: it finds a surplus only when
 * an instance is idle and the backlog needs fewer instances, and never lets the fleet fall below one instance
 * while anything is queued or running. The expressions are evaluated by translating CloudWatch's IF, FLOOR and
 * CEIL to JavaScript; any other syntax fails the test.
 */
import { strict as assert } from "node:assert";
import { surplusExpressions } from "../../components/scale-to-zero";

const FUNCTIONS: Record<string, string> = { IF: "IF", FLOOR: "Math.floor", CEIL: "Math.ceil" };

/** The value of the query `surplus` for one minute's backlog metrics. */
function surplus(target: number, backlog: number, perInstance: number): number {
  const values: Record<string, number> = { backlog, perInstance };
  for (const { id, expression } of surplusExpressions(target)) {
    const js = expression.replace(/[A-Za-z_][A-Za-z0-9_]*/g, (word) => {
      if (word in FUNCTIONS) return FUNCTIONS[word];
      if (word in values) return `v.${word}`;
      throw new Error(`unknown ${word} in ${expression}`);
    });
    assert.match(js, /^[\sA-Za-z.()0-9+\-*/<>,]*$/, `only arithmetic, comparisons and IF/FLOOR/CEIL: ${expression}`);
    const IF = (condition: boolean, whenTrue: number, whenFalse: number) => (condition ? whenTrue : whenFalse);
    values[id] = new Function("v", "IF", `return ${js};`)(values, IF) as number;
  }
  return values.surplus;
}

/** One minute of an endpoint with `instances` instances and `backlog` requests queued or running. */
const minute = (target: number, instances: number, backlog: number) =>
  surplus(target, backlog, instances === 0 ? 0 : backlog / instances);

describe("step scale-in metric math", function () {
  it("removes instances a trickle does not need, down to one", function () {
    assert.equal(minute(4, 4, 1), 3, "one request on four instances: three can go (one at a time)");
    assert.equal(minute(4, 2, 1), 1);
    assert.equal(minute(4, 1, 1), 0, "never below one instance while a request is queued or running");
  });

  it("keeps ceil(backlog / target) instances", function () {
    assert.equal(minute(1, 4, 3), 1, "target 1: three requests keep three of four");
    assert.equal(minute(2, 4, 3), 2, "target 2: three requests keep two of four");
  });

  it("never shrinks a fleet whose instances may all be busy (backlog >= instances)", function () {
    assert.equal(minute(4, 3, 3), 0);
    assert.equal(minute(4, 3, 10), 0);
    assert.equal(minute(4, 2, 2), 0);
  });

  it("finds no surplus without a backlog or without instances (the idle and from-zero paths decide)", function () {
    assert.equal(minute(4, 3, 0), 0);
    assert.equal(minute(4, 0, 0), 0);
  });
});
