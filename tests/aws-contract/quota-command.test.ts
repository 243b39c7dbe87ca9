/**
 * The quota command docs/updates.md gives ("see the quota before `up`") against botocore's Service Quotas model:
 * the operation exists, its parameters are valid, and its --query (JMESPath, as the AWS CLI runs it) picks the
 * value of the quota the program exports as `endpointQuotaName` from a response of the operation's output shape.
 * What it cannot prove: the quota's name in a real account (AWS's SageMaker quotas are named "<type> for endpoint
 * usage"; the program derives it the same way).
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { endpointQuotaNameFor } from "../../components/async-endpoint";
import { DEFAULTS } from "../../components/config";
import { ROOT, VENV_PYTHON } from "./python";

const CHECK = `
import json, sys
import botocore.session, jmespath
from botocore.validate import ParamValidator
spec = json.loads(sys.argv[1])
model = botocore.session.get_session().get_service_model(spec["service"])
operation = model.operation_model(spec["operation"])
report = ParamValidator().validate(spec["params"], operation.input_shape)
output = operation.output_shape
quota = output.members["Quotas"].member
sample = {"Quotas": [{"QuotaName": "other quota", "Value": 9.0}, {"QuotaName": spec["quotaName"], "Value": 2.0}]}
print(json.dumps({
    "problems": report.generate_report() if report.has_errors() else "",
    "members": sorted(quota.members),
    "result": jmespath.search(spec["query"], sample),
}))
`;

describe("the documented quota command against botocore's Service Quotas model", function () {
  const doc = fs.readFileSync(path.join(ROOT, "docs", "updates.md"), "utf8");
  const line = doc.split("\n").find((l) => l.startsWith("aws service-quotas list-service-quotas"));

  it("is a valid ListServiceQuotas call whose query picks the exported quota's value", function () {
    assert.ok(line, "docs/updates.md shows the command");
    const match = /^aws service-quotas list-service-quotas --service-code (\S+) --query "([^"]+)" --output text$/.exec(
      line,
    );
    assert.ok(match, line);
    const [, serviceCode, query] = match;
    const quotaName = endpointQuotaNameFor(DEFAULTS.instanceType);
    assert.ok(query.includes(`'${quotaName}'`), "the command names the default instance type's quota");
    const run = spawnSync(
      VENV_PYTHON,
      [
        "-c",
        CHECK,
        JSON.stringify({
          service: "service-quotas",
          operation: "ListServiceQuotas",
          params: { ServiceCode: serviceCode },
          query,
          quotaName,
        }),
      ],
      { encoding: "utf8" },
    );
    assert.equal(run.status, 0, run.stderr);
    const report = JSON.parse(run.stdout) as { problems: string; members: string[]; result: unknown };
    assert.equal(report.problems, "");
    assert.ok(report.members.includes("QuotaName") && report.members.includes("Value"), report.members.join());
    assert.deepEqual(report.result, [2.0]);
  });
});
