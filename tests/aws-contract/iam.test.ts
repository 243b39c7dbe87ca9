/**
 * Every IAM policy document of every example stack, linted by parliament (tools/iam_lint.py): no unknown action or
 * condition key, each action on a resource of its type. Then planted mistakes show the lint fails.
 */
import { strict as assert } from "node:assert";
import { loadProgram, type Recorded } from "../program/mocks";
import { exampleStacks } from "../program/stacks";
import { awsRecords, runChecker } from "./python";

interface Report {
  documents: string[];
  findings: string[];
  accepted: string[];
}

describe("IAM policy documents linted by parliament", function () {
  for (const stack of exampleStacks()) {
    it(`${stack.title}: no findings beyond the one accepted (the ECR token)`, async function () {
      const records = awsRecords((await loadProgram(stack.config)).resources);
      const report = runChecker<Report>("iam_lint.py", records);
      const expected = records.filter((r) =>
        ["aws:iam/rolePolicy:RolePolicy", "aws:iam/policy:Policy", "aws:s3/bucketPolicy:BucketPolicy"].includes(r.type),
      );
      assert.deepEqual(report.documents.sort(), expected.map((r) => r.name).sort());
      assert.deepEqual(report.findings, []);
      assert.equal(report.accepted.length, 1);
      assert.match(report.accepted[0], /-exec-policy: CREDENTIALS_EXPOSURE +ecr:getauthorizationtoken/);
    });
  }

  describe("reports planted mistakes", function () {
    let records: Recorded[];
    before(async function () {
      records = awsRecords((await loadProgram(exampleStacks()[0].config)).resources);
    });
    const findings = (
      edit: (statements: { Action: string[]; Resource: string | string[]; Condition?: object }[]) => void,
    ) => {
      const copy = structuredClone(records);
      const role = copy.find((r) => r.type === "aws:iam/rolePolicy:RolePolicy")!;
      const document = JSON.parse(role.inputs.policy);
      edit(document.Statement);
      role.inputs.policy = JSON.stringify(document);
      return runChecker<Report>("iam_lint.py", copy).findings.join("\n");
    };

    it("an action that does not exist", function () {
      assert.match(
        findings((s) => (s[0].Action = ["s3:GetObjects"])),
        /UNKNOWN_ACTION Unknown action s3:GetObjects/,
      );
    });

    it("an action on a resource of the wrong type", function () {
      const found = findings(
        (s) => (s.find((x) => x.Action.includes("ecr:BatchGetImage"))!.Resource = "arn:aws:s3:::bucket"),
      );
      assert.match(found, /RESOURCE_MISMATCH.*ecr:BatchGetImage/);
    });

    it("a condition key the action does not have", function () {
      const found = findings((s) => (s[1].Condition = { StringLike: { "s3:prefixx": ["models/*"] } }));
      assert.match(found, /UNKNOWN_CONDITION_FOR_ACTION Unknown condition s3:prefixx/);
    });
  });
});
