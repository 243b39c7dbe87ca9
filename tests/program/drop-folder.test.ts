/**
 * The drop folder's wiring under the mocks: functions (runtime, bundle, settings, dead-letter queue), the bucket's
 * event notification, the SNS subscriptions and their filter, permissions, least-privilege role statements, the
 * alarm and the dashboard row; and the stack settings that turn it off or shape it. See mocks.ts for what mocks
 * cannot prove; the IAM linter and the request checks (tests/aws-contract/) also read these resources.
 */
import { strict as assert } from "node:assert";
import { ARGUMENT_NAMES, loadStackConfig, resolveServiceSettings } from "../../components/config";
import { functionNameFor } from "../../components/drop-folder";
import { ACCOUNT, REGION, loadProgram, waitsFor, type Recorded } from "./mocks";
import { requireBundle } from "../drop-folder/support";
import { commentedSettings, stackConfig } from "./stacks";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const PROD = { ...stackConfig("prod"), ...commentedSettings("prod") };

function only(resources: Recorded[], type: string, suffix = ""): Recorded {
  const found = resources.filter((r) => r.type === type && r.name.endsWith(suffix));
  assert.equal(found.length, 1, `one ${type} ending in ${suffix}, found ${found.map((r) => r.name)}`);
  return found[0];
}

/** The bundled handler of a function as the program deploys it (the archive's index.js), loaded as Lambda does. */
async function loadBundle(fn: Recorded): Promise<Record<string, unknown>> {
  const assets = await fn.inputs.code.assets;
  return requireBundle(await assets["index.js"].text);
}

describe("drop folder wiring under mocks", function () {
  let dev: Recorded[];
  let devExports: Record<string, unknown>;
  before(async function () {
    ({ resources: dev, exports: devExports } = await loadProgram(stackConfig("dev")));
  });

  it("is on by default: two Node.js 22 functions bundled from functions/drop-folder, each with a dead-letter queue", async function () {
    const queue = only(dev, "aws:sqs/queue:Queue", "-dead-letters");
    assert.equal(queue.inputs.sqsManagedSseEnabled, true);
    assert.equal(queue.inputs.messageRetentionSeconds, 1209600);
    const bucket = String(devExports.bucketName);
    for (const [role, memory, timeout] of [
      ["submit", 256, 60],
      ["deliver", 512, 300],
    ] as const) {
      const fn = only(dev, "aws:lambda/function:Function", `-drop-folder-${role}`);
      assert.equal(fn.inputs.name, `whisper-dev-g4dn-xlarge-drop-${role}`);
      assert.equal(fn.inputs.runtime, "nodejs22.x");
      assert.deepEqual(fn.inputs.architectures, ["arm64"]);
      assert.equal(fn.inputs.handler, "index.handler");
      assert.equal(fn.inputs.memorySize, memory);
      assert.equal(fn.inputs.timeout, timeout);
      assert.deepEqual(fn.inputs.deadLetterConfig, { targetArn: `arn:aws:sqs:${REGION}:${ACCOUNT}:${queue.name}` });
      assert.deepEqual(fn.inputs.environment.variables, {
        DROP_BUCKET: bucket,
        DROP_ENDPOINT_NAME: "whisper-dev-g4dn-xlarge",
        DROP_PREFIX: "drop/",
        DROP_RESULTS_PREFIX: "results/",
        DROP_CLAIMS_PREFIX: "async/drop-claims/",
        DROP_STAGING_PREFIX: "async/drop-inputs/",
        DROP_FORMATS: "json,srt,vtt,txt",
        DROP_OPTIONS: "",
      });
      assert.deepEqual(fn.inputs.loggingConfig, {
        logFormat: "Text",
        logGroup: `/aws/lambda/whisper-dev-g4dn-xlarge-drop-${role}`,
      });
      assert.ok(waitsFor(fn, only(dev, "aws:iam/rolePolicy:RolePolicy", `-drop-folder-${role}-policy`)));
      const bundle = await loadBundle(fn);
      assert.equal(typeof bundle.handler, "function", `${role} bundle exports handler`);
    }
    assert.deepEqual(devExports.dropPrefix, "drop/");
    assert.deepEqual(devExports.resultsPrefix, "results/");
  });

  it("runs submit on objects created under drop/ only, after S3 may invoke it", function () {
    const notification = only(dev, "aws:s3/bucketNotification:BucketNotification");
    const submit = only(dev, "aws:lambda/function:Function", "-submit");
    assert.equal(notification.inputs.bucket, devExports.bucketName);
    assert.deepEqual(notification.inputs.lambdaFunctions, [
      {
        lambdaFunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${submit.inputs.name}`,
        events: ["s3:ObjectCreated:*"],
        filterPrefix: "drop/",
      },
    ]);
    const permission = only(dev, "aws:lambda/permission:Permission", "-s3-invokes-submit");
    assert.deepEqual(permission.inputs, {
      action: "lambda:InvokeFunction",
      function: submit.inputs.name,
      principal: "s3.amazonaws.com",
      sourceArn: `arn:aws:s3:::${devExports.bucketName}`,
      sourceAccount: ACCOUNT,
    });
    assert.ok(waitsFor(notification, permission));
  });

  it("subscribes deliver to both SageMaker topics, filtered to the drop folder's inferences", function () {
    const topics = dev.filter((r) => r.type === "aws:sns/topic:Topic");
    for (const topic of ["success", "error"]) {
      const subscription = only(dev, "aws:sns/topicSubscription:TopicSubscription", `-${topic}-to-deliver`);
      const topicName = topics.find((t) => t.name.endsWith(`-topics-${topic}`))!.name;
      assert.equal(subscription.inputs.topic, `arn:aws:sns:${REGION}:${ACCOUNT}:${topicName}`);
      assert.equal(subscription.inputs.protocol, "lambda");
      assert.equal(subscription.inputs.filterPolicyScope, "MessageBody");
      assert.deepEqual(JSON.parse(subscription.inputs.filterPolicy), { inferenceId: [{ prefix: "drop-" }] });
      const permission = only(dev, "aws:lambda/permission:Permission", `-${topic}-invokes-deliver`);
      assert.equal(permission.inputs.principal, "sns.amazonaws.com");
      assert.equal(permission.inputs.sourceArn, subscription.inputs.topic);
      assert.ok(waitsFor(subscription, permission));
    }
  });

  it("gives each function only its prefixes, the endpoint, its log group and the queue", function () {
    const bucketArn = `arn:aws:s3:::${devExports.bucketName}`;
    const statements = (role: string): Json[] =>
      JSON.parse(only(dev, "aws:iam/rolePolicy:RolePolicy", `-drop-folder-${role}-policy`).inputs.policy).Statement;
    const queueArn = `arn:aws:sqs:${REGION}:${ACCOUNT}:${only(dev, "aws:sqs/queue:Queue").name}`;
    const logs = (role: string) =>
      `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/whisper-dev-g4dn-xlarge-drop-${role}:*`;
    assert.deepEqual(
      statements("submit").map((s) => [s.Sid, s.Action, s.Resource]),
      [
        ["ReadDroppedRecordings", ["s3:GetObject"], `${bucketArn}/drop/*`],
        ["ClaimRecordings", ["s3:PutObject", "s3:DeleteObject"], `${bucketArn}/async/drop-claims/*`],
        ["StageInputs", ["s3:PutObject"], `${bucketArn}/async/drop-inputs/*`],
        ["WriteErrorFiles", ["s3:PutObject"], `${bucketArn}/results/*`],
        [
          "InvokeEndpointAsync",
          ["sagemaker:InvokeEndpointAsync"],
          `arn:aws:sagemaker:${REGION}:${ACCOUNT}:endpoint/whisper-dev-g4dn-xlarge`,
        ],
        ["WriteOwnLogs", ["logs:CreateLogStream", "logs:PutLogEvents"], logs("submit")],
        ["SendToDeadLetterQueue", ["sqs:SendMessage"], queueArn],
      ],
    );
    assert.deepEqual(
      statements("deliver").map((s) => [s.Sid, s.Action, s.Resource]),
      [
        [
          "ReadClaimsAndResponses",
          ["s3:GetObject"],
          [
            `${bucketArn}/async/drop-claims/*`,
            `${bucketArn}/async/outputs/*`,
            `${bucketArn}/async/failures/*`,
            `${bucketArn}/drop/*`,
          ],
        ],
        ["WriteResults", ["s3:PutObject", "s3:DeleteObject"], `${bucketArn}/results/*`],
        ["WriteOwnLogs", ["logs:CreateLogStream", "logs:PutLogEvents"], logs("deliver")],
        ["SendToDeadLetterQueue", ["sqs:SendMessage"], queueArn],
      ],
    );
    for (const role of ["submit", "deliver"]) {
      const trust = JSON.parse(only(dev, "aws:iam/role:Role", `-drop-folder-${role}-role`).inputs.assumeRolePolicy);
      assert.deepEqual(trust.Statement, [
        { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
      ]);
    }
  });

  it("alarms on the error topic when an event lands in the dead-letter queue, and shows the row on the dashboard", function () {
    const queue = only(dev, "aws:sqs/queue:Queue", "-dead-letters");
    const alarm = only(dev, "aws:cloudwatch/metricAlarm:MetricAlarm", "-dead-letters-alarm");
    const errorTopic = dev.find((r) => r.type === "aws:sns/topic:Topic" && r.name.endsWith("-error"))!;
    assert.equal(alarm.inputs.namespace, "AWS/SQS");
    assert.equal(alarm.inputs.metricName, "ApproximateNumberOfMessagesVisible");
    assert.equal(alarm.inputs.threshold, 1);
    assert.equal(alarm.inputs.comparisonOperator, "GreaterThanOrEqualToThreshold");
    assert.match(alarm.inputs.alarmActions[0], new RegExp(`:${errorTopic.name}$`));
    assert.deepEqual(alarm.inputs.dimensions, { QueueName: queue.name });
    const body = JSON.parse(only(dev, "aws:cloudwatch/dashboard:Dashboard").inputs.dashboardBody);
    const titles = body.widgets.map((w: Json) => w.properties.title);
    assert.ok(titles.includes("Drop folder: recordings submitted and results delivered"), titles.join("; "));
    assert.ok(titles.includes("Drop folder: events in the dead-letter queue"));
  });

  it("prod with everything: the KMS key encrypts the queue and the functions may use it; formats, options, retention", async function () {
    const { resources } = await loadProgram(PROD);
    const kms = PROD["whisper-async:kmsKeyArn"];
    assert.equal(only(resources, "aws:sqs/queue:Queue", "-dead-letters").inputs.kmsMasterKeyId, kms);
    for (const role of ["submit", "deliver"]) {
      const statements: Json[] = JSON.parse(
        only(resources, "aws:iam/rolePolicy:RolePolicy", `-drop-folder-${role}-policy`).inputs.policy,
      ).Statement;
      assert.deepEqual(statements.at(-1), {
        Sid: "UseBucketKey",
        Effect: "Allow",
        Action: ["kms:Decrypt", "kms:GenerateDataKey"],
        Resource: kms,
      });
      const variables = only(resources, "aws:lambda/function:Function", `-drop-folder-${role}`).inputs.environment
        .variables;
      assert.equal(variables.DROP_FORMATS, "json,srt");
      assert.equal(variables.DROP_OPTIONS, "language=en;max_line_width=32");
    }
    const rules: Json[] = only(resources, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs
      .rules;
    assert.deepEqual(
      rules.find((r) => r.id === "expire-dropped-recordings"),
      { id: "expire-dropped-recordings", status: "Enabled", filter: { prefix: "drop/" }, expiration: { days: 30 } },
    );
  });

  it("dropFolder: false leaves no trace: no functions, queue, notification; the endpoint reads no drop/", async function () {
    const { resources, exports } = await loadProgram({ ...stackConfig("dev"), "whisper-async:dropFolder": "false" });
    for (const type of [
      "aws:lambda/function:Function",
      "aws:sqs/queue:Queue",
      "aws:s3/bucketNotification:BucketNotification",
      "aws:sns/topicSubscription:TopicSubscription",
      "aws:lambda/permission:Permission",
    ]) {
      assert.deepEqual(
        resources.filter((r) => r.type === type),
        [],
        type,
      );
    }
    const exec = JSON.parse(only(resources, "aws:iam/rolePolicy:RolePolicy", "-exec-policy").inputs.policy);
    assert.ok(!JSON.stringify(exec).includes("/drop/"));
    const body = JSON.parse(only(resources, "aws:cloudwatch/dashboard:Dashboard").inputs.dashboardBody);
    assert.ok(!JSON.stringify(body).includes("Drop folder"));
    assert.equal(exports.dropPrefix, undefined);
  });
});

describe("drop folder function names", function () {
  it("are the endpoint's name and the role, cut with a hash when Lambda's 64 characters would not hold them", function () {
    assert.equal(functionNameFor("whisper-dev-g4dn-xlarge", "deliver"), "whisper-dev-g4dn-xlarge-drop-deliver");
    const long = `whisper-${"a".repeat(40)}-g5-12xlarge`;
    const other = `whisper-${"a".repeat(40)}-g6-12xlarge`;
    for (const role of ["submit", "deliver"] as const) {
      const name = functionNameFor(long, role);
      assert.ok(name.length <= 64, name);
      assert.match(name, new RegExp(`^whisper-a+-[0-9a-f]{8}-drop-${role}$`));
      assert.notEqual(name, functionNameFor(other, role));
    }
  });
});

describe("drop folder settings", function () {
  it("as component arguments: refused by the argument's name", function () {
    assert.throws(
      () => resolveServiceSettings({ dropFolderFormats: ["json", "pdf"] as never }, ARGUMENT_NAMES, "us-east-1"),
      /^Error: dropFolderFormats must be a list of distinct formats of json, txt, srt, vtt, got "\["json","pdf"\]"/,
    );
    assert.throws(
      () => resolveServiceSettings({ dropFolderOptions: "speakers=2;speakers=3" }, ARGUMENT_NAMES, "us-east-1"),
      {
        message: "dropFolderOptions: option 'speakers' given twice",
      },
    );
    assert.deepEqual(
      resolveServiceSettings({ dropFolder: false, dropFolderFormats: ["srt"] }, ARGUMENT_NAMES, "us-east-1")
        .dropFolderFormats,
      ["srt"],
    );
  });

  const load = (settings: Record<string, string>) => loadStackConfig((key) => settings[key], "us-east-1");

  it("defaults: on, all four formats, no options, recordings kept", function () {
    const config = load({});
    assert.equal(config.dropFolder, true);
    assert.deepEqual(config.dropFolderFormats, ["json", "srt", "vtt", "txt"]);
    assert.equal(config.dropFolderOptions, "");
    assert.equal(config.dropFolderRetentionDays, undefined);
  });

  it("refuses what the functions could not use, naming the setting", function () {
    assert.throws(() => load({ dropFolder: "yes" }), /whisper-async:dropFolder must be true or false, got "yes"/);
    assert.throws(
      () => load({ dropFolderFormats: '["json","docx"]' }),
      /whisper-async:dropFolderFormats must be a JSON list of distinct formats of json, txt, srt, vtt, got "\["json","docx"\]"/,
    );
    assert.throws(
      () => load({ dropFolderFormats: '["srt","srt"]' }),
      /dropFolderFormats must be a JSON list of distinct/,
    );
    assert.throws(() => load({ dropFolderFormats: "[]" }), /dropFolderFormats must be a JSON list of distinct/);
    assert.throws(() => load({ dropFolderFormats: "json,srt" }), /dropFolderFormats must be a JSON list of distinct/);
    assert.throws(
      () => load({ dropFolderOptions: "langauge=de" }),
      /whisper-async:dropFolderOptions: unknown option 'langauge'; known options: language, task/,
    );
    assert.throws(() => load({ dropFolderOptions: "diarize" }), /whisper-async:dropFolderOptions: expected key=value/);
    assert.throws(
      () => load({ dropFolderRetentionDays: "0" }),
      /whisper-async:dropFolderRetentionDays must be an integer from 1 to 3650, got "0"/,
    );
  });
});
