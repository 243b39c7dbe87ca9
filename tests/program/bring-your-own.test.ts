/**
 * WhisperService with resources its program brings: an existing bucket, existing SNS topics, VPC subnets and
 * security groups (network isolation kept). Under mocks: what is created, what is not, and where the ids go (IAM,
 * the endpoint configuration, the alarms). What mocks cannot prove: that the VPC has the S3 gateway endpoint the
 * instances need, or that the brought topics' and bucket's own policies let SageMaker in (docs/component.md).
 */
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { ACCOUNT, REGION, markProgramStart, programResources, resolve, settled, type Recorded } from "./mocks";
import { WhisperService, type WhisperServiceArgs } from "../../components/whisper-service";

const SUCCESS = `arn:aws:sns:${REGION}:${ACCOUNT}:team-success`;
const ERROR = `arn:aws:sns:${REGION}:${ACCOUNT}:team-errors`;
const BROUGHT: WhisperServiceArgs = {
  bucketName: "team-media-bucket",
  successTopicArn: SUCCESS,
  errorTopicArn: pulumi.output(ERROR),
  vpcSubnetIds: ["subnet-0a1", pulumi.output("subnet-0b2")],
  vpcSecurityGroupIds: ["sg-0c3"],
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

function refusal(args: WhisperServiceArgs): string {
  try {
    new WhisperService("refused", args);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error("accepted");
}

describe("WhisperService with an existing bucket, topics and VPC", function () {
  let resources: Recorded[];
  let service: WhisperService;
  const ofType = (type: string) => resources.filter((r) => r.type === type);
  const statementsOf = (policy: Recorded): Json[] => JSON.parse(policy.inputs.policy).Statement;

  before(async function () {
    pulumi.runtime.setAllConfig({ "aws:region": REGION });
    markProgramStart();
    service = new WhisperService("brought", BROUGHT);
    await resolve(service.endpointName);
    await settled();
    resources = programResources();
  });

  it("creates no bucket and no topics, and exports the brought ones", async function () {
    assert.deepEqual(ofType("aws:s3/bucket:Bucket"), []);
    assert.deepEqual(ofType("aws:s3/bucketPolicy:BucketPolicy"), []);
    assert.deepEqual(ofType("aws:sns/topic:Topic"), []);
    assert.equal(await resolve(service.bucketName), "team-media-bucket");
    assert.deepEqual([await resolve(service.successTopicArn), await resolve(service.errorTopicArn)], [SUCCESS, ERROR]);
  });

  it("uploads the model to the brought bucket and has SageMaker read, write and notify there", function () {
    const [upload] = ofType("command:local:Command").filter((r) => String(r.inputs.create).includes("package-model"));
    assert.match(upload.inputs.create, /--bucket 'team-media-bucket' --prefix 'models\/'/);
    const [config] = ofType("aws:sagemaker/endpointConfiguration:EndpointConfiguration");
    const output = config.inputs.asyncInferenceConfig.outputConfig;
    assert.equal(output.s3OutputPath, "s3://team-media-bucket/async/outputs/");
    assert.deepEqual(output.notificationConfig, { successTopic: SUCCESS, errorTopic: ERROR });
    const [rolePolicy] = ofType("aws:iam/rolePolicy:RolePolicy");
    const statements = statementsOf(rolePolicy);
    const sid = (id: string) => statements.find((s) => s.Sid === id);
    assert.deepEqual(sid("WriteOutputsAndFailures").Resource, [
      "arn:aws:s3:::team-media-bucket/async/outputs/*",
      "arn:aws:s3:::team-media-bucket/async/failures/*",
    ]);
    assert.deepEqual(sid("NotifyCompletion").Resource, [SUCCESS, ERROR]);
    const [client] = ofType("aws:iam/policy:Policy").filter((r) => r.name === "brought-client-policy");
    assert.ok(JSON.stringify(statementsOf(client)).includes("arn:aws:s3:::team-media-bucket/async/inputs/"));
  });

  it("sends the alarms to the brought error topic", function () {
    // The scaling alarms act on scaling policies; the operational ones notify a topic.
    const notifying = ofType("aws:cloudwatch/metricAlarm:MetricAlarm").filter((alarm) =>
      JSON.stringify(alarm.inputs.alarmActions).includes(":sns:"),
    );
    assert.ok(notifying.length >= 2, `${notifying.length} notifying alarms`);
    for (const alarm of notifying) assert.deepEqual(alarm.inputs.alarmActions, [ERROR], alarm.name);
  });

  it("attaches the instances to the VPC with network isolation kept, and lets SageMaker manage their interfaces", function () {
    const [model] = ofType("aws:sagemaker/model:Model");
    assert.equal(model.inputs.enableNetworkIsolation, true);
    assert.deepEqual(model.inputs.vpcConfig, { subnets: ["subnet-0a1", "subnet-0b2"], securityGroupIds: ["sg-0c3"] });
    const statements = statementsOf(ofType("aws:iam/rolePolicy:RolePolicy")[0]);
    const ec2 = `arn:aws:ec2:${REGION}:${ACCOUNT}`;
    assert.deepEqual(statements.find((s) => s.Sid === "ManageVpcNetworkInterfaces").Resource, [
      `${ec2}:network-interface/*`,
      `${ec2}:subnet/subnet-0a1`,
      `${ec2}:subnet/subnet-0b2`,
      `${ec2}:security-group/sg-0c3`,
    ]);
    assert.equal(statements.find((s) => s.Sid === "DescribeVpcNetwork").Resource, "*");
  });

  it("refuses half a pair, an empty list and ids of the wrong kind, naming the argument", function () {
    assert.equal(
      refusal({ successTopicArn: SUCCESS }),
      "successTopicArn and errorTopicArn go together: give both existing topics, or neither",
    );
    assert.match(refusal({ vpcSecurityGroupIds: ["sg-1"] }), /^vpcSubnetIds and vpcSecurityGroupIds go together/);
    assert.match(
      refusal({ vpcSubnetIds: [], vpcSecurityGroupIds: ["sg-1"] }),
      /^vpcSubnetIds must be a list of subnet/,
    );
    assert.match(refusal({ vpcSubnetIds: ["sg-1"], vpcSecurityGroupIds: ["sg-1"] }), /^vpcSubnetIds must be a list/);
    assert.match(refusal({ bucketName: "arn:aws:s3:::b" }), /^bucketName must be an S3 bucket name/);
    assert.match(
      refusal({ successTopicArn: "team-success", errorTopicArn: ERROR }),
      /^successTopicArn must be an SNS topic ARN/,
    );
  });
});
