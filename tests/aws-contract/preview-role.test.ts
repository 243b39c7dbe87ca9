/**
 * The pull-request preview role's policy (.github/iam/preview-role-policy.json, docs/development.md): linted by
 * parliament like the program's own policies; enough to read, for a `pulumi preview --refresh`, every AWS resource
 * type the program registers and every AWS call it makes at preview; and never a read of an object in the bucket, so
 * a pull request's code cannot read a transcript or a recording.
 *
 * The read actions per type are what the AWS provider's Read of each resource calls (terraform-provider-aws); a new
 * resource type fails the first test until its reads are listed here and granted in the policy. What this does not
 * prove: IAM's own evaluation (the matcher below handles Allow/Deny, `*` wildcards in actions and resources).
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { calls, loadProgram } from "../program/mocks";
import { exampleStacks } from "../program/stacks";
import { ROOT, runChecker } from "./python";

const POLICY_FILE = path.join(ROOT, ".github", "iam", "preview-role-policy.json");

/** What a refresh of each resource type reads, as `action resource-arn` (the ARN of a resource the stack names). */
const READS_FOR_REFRESH: Record<string, string[]> = {
  "aws:appautoscaling/policy:Policy": ["application-autoscaling:DescribeScalingPolicies *"],
  "aws:appautoscaling/target:Target": [
    "application-autoscaling:DescribeScalableTargets *",
    "application-autoscaling:ListTagsForResource arn:aws:application-autoscaling:us-east-1:123456789012:scalable-target/0abc",
  ],
  "aws:cloudwatch/dashboard:Dashboard": [
    "cloudwatch:GetDashboard arn:aws:cloudwatch::123456789012:dashboard/whisper-dev-g4dn-xlarge",
  ],
  "aws:cloudwatch/logGroup:LogGroup": [
    "logs:DescribeLogGroups *",
    "logs:ListTagsForResource arn:aws:logs:us-east-1:123456789012:log-group:/aws/sagemaker/Endpoints/whisper-dev-g4dn-xlarge",
    "logs:ListTagsLogGroup arn:aws:logs:us-east-1:123456789012:log-group:/aws/sagemaker/Endpoints/whisper-dev-g4dn-xlarge",
  ],
  "aws:cloudwatch/logMetricFilter:LogMetricFilter": [
    "logs:DescribeMetricFilters arn:aws:logs:us-east-1:123456789012:log-group:/aws/sagemaker/Endpoints/whisper-dev-g4dn-xlarge",
  ],
  "aws:cloudwatch/metricAlarm:MetricAlarm": [
    "cloudwatch:DescribeAlarms arn:aws:cloudwatch:us-east-1:123456789012:alarm:whisper-scaling-idle-1a2b3c",
    "cloudwatch:ListTagsForResource arn:aws:cloudwatch:us-east-1:123456789012:alarm:whisper-scaling-idle-1a2b3c",
  ],
  "aws:ecr/lifecyclePolicy:LifecyclePolicy": [
    "ecr:GetLifecyclePolicy arn:aws:ecr:us-east-1:123456789012:repository/whisper-image-repo-1a2b3c",
  ],
  "aws:ecr/repository:Repository": [
    "ecr:DescribeRepositories arn:aws:ecr:us-east-1:123456789012:repository/whisper-image-repo-1a2b3c",
    "ecr:ListTagsForResource arn:aws:ecr:us-east-1:123456789012:repository/whisper-image-repo-1a2b3c",
  ],
  "aws:iam/policy:Policy": [
    "iam:GetPolicy arn:aws:iam::123456789012:policy/whisper-client-policy-1a2b3c",
    "iam:GetPolicyVersion arn:aws:iam::123456789012:policy/whisper-client-policy-1a2b3c",
    "iam:ListPolicyTags arn:aws:iam::123456789012:policy/whisper-client-policy-1a2b3c",
  ],
  "aws:iam/role:Role": [
    "iam:GetRole arn:aws:iam::123456789012:role/whisper-exec-role-1a2b3c",
    "iam:ListRolePolicies arn:aws:iam::123456789012:role/whisper-exec-role-1a2b3c",
    "iam:ListAttachedRolePolicies arn:aws:iam::123456789012:role/whisper-exec-role-1a2b3c",
  ],
  "aws:iam/rolePolicy:RolePolicy": ["iam:GetRolePolicy arn:aws:iam::123456789012:role/whisper-exec-role-1a2b3c"],
  "aws:s3/bucket:Bucket": [
    "s3:ListBucket arn:aws:s3:::whisper-storage-bucket-1a2b3c",
    ...[
      "GetBucketAcl",
      "GetBucketCORS",
      "GetBucketLogging",
      "GetBucketObjectLockConfiguration",
      "GetBucketPolicy",
      "GetBucketRequestPayment",
      "GetBucketTagging",
      "GetBucketVersioning",
      "GetBucketWebsite",
      "GetAccelerateConfiguration",
      "GetEncryptionConfiguration",
      "GetLifecycleConfiguration",
      "GetReplicationConfiguration",
    ].map((action) => `s3:${action} arn:aws:s3:::whisper-storage-bucket-1a2b3c`),
  ],
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": [
    "s3:GetLifecycleConfiguration arn:aws:s3:::whisper-storage-bucket-1a2b3c",
  ],
  "aws:s3/bucketOwnershipControls:BucketOwnershipControls": [
    "s3:GetBucketOwnershipControls arn:aws:s3:::whisper-storage-bucket-1a2b3c",
  ],
  "aws:s3/bucketPolicy:BucketPolicy": ["s3:GetBucketPolicy arn:aws:s3:::whisper-storage-bucket-1a2b3c"],
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": [
    "s3:GetBucketPublicAccessBlock arn:aws:s3:::whisper-storage-bucket-1a2b3c",
  ],
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": [
    "s3:GetEncryptionConfiguration arn:aws:s3:::whisper-storage-bucket-1a2b3c",
  ],
  "aws:sagemaker/endpoint:Endpoint": [
    "sagemaker:DescribeEndpoint arn:aws:sagemaker:us-east-1:123456789012:endpoint/whisper-dev-g4dn-xlarge",
    "sagemaker:ListTags arn:aws:sagemaker:us-east-1:123456789012:endpoint/whisper-dev-g4dn-xlarge",
  ],
  "aws:sagemaker/endpointConfiguration:EndpointConfiguration": [
    "sagemaker:DescribeEndpointConfig arn:aws:sagemaker:us-east-1:123456789012:endpoint-config/whisper-endpoint-config-1a2b3c",
    "sagemaker:ListTags arn:aws:sagemaker:us-east-1:123456789012:endpoint-config/whisper-endpoint-config-1a2b3c",
  ],
  "aws:sagemaker/model:Model": [
    "sagemaker:DescribeModel arn:aws:sagemaker:us-east-1:123456789012:model/whisper-endpoint-model-1a2b3c",
    "sagemaker:ListTags arn:aws:sagemaker:us-east-1:123456789012:model/whisper-endpoint-model-1a2b3c",
  ],
  "aws:sns/topic:Topic": [
    "sns:GetTopicAttributes arn:aws:sns:us-east-1:123456789012:whisper-topics-success-1a2b3c",
    "sns:ListTagsForResource arn:aws:sns:us-east-1:123456789012:whisper-topics-success-1a2b3c",
  ],
  // The drop folder (components/drop-folder.ts): its functions, their permissions and log groups, the dead-letter
  // queue, the bucket's notification and the topic subscriptions.
  "aws:lambda/function:Function": [
    ...[
      "GetFunction",
      "GetFunctionCodeSigningConfig",
      "GetFunctionConcurrency",
      "GetFunctionRecursionConfig",
      "GetRuntimeManagementConfig",
      "ListTags",
      "ListVersionsByFunction",
    ].map(
      (action) => `lambda:${action} arn:aws:lambda:us-east-1:123456789012:function:whisper-dev-g4dn-xlarge-drop-submit`,
    ),
    "logs:ListTagsForResource arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/whisper-dev-g4dn-xlarge-drop-submit",
  ],
  "aws:lambda/permission:Permission": [
    "lambda:GetPolicy arn:aws:lambda:us-east-1:123456789012:function:whisper-dev-g4dn-xlarge-drop-submit",
  ],
  "aws:sqs/queue:Queue": [
    "sqs:GetQueueAttributes arn:aws:sqs:us-east-1:123456789012:whisper-drop-dead-letters-1a2b3c",
    "sqs:ListQueueTags arn:aws:sqs:us-east-1:123456789012:whisper-drop-dead-letters-1a2b3c",
  ],
  "aws:s3/bucketNotification:BucketNotification": [
    "s3:GetBucketNotification arn:aws:s3:::whisper-storage-bucket-1a2b3c",
  ],
  "aws:sns/topicSubscription:TopicSubscription": [
    "sns:GetSubscriptionAttributes arn:aws:sns:us-east-1:123456789012:whisper-topics-success-1a2b3c:0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9",
  ],
  // The pushed image, read back through the registry on refresh (buildOnPreview is off: a preview pushes nothing).
  "docker-build:index:Image": [
    "ecr:BatchGetImage arn:aws:ecr:us-east-1:123456789012:repository/whisper-image-repo-1a2b3c",
    "ecr:DescribeImages arn:aws:ecr:us-east-1:123456789012:repository/whisper-image-repo-1a2b3c",
  ],
  // Commands do not run at preview and have nothing to read on refresh.
  "command:local:Command": [],
};

/** The AWS calls the program makes while it runs (preview included), by invoke token. */
const READS_OF_INVOKES: Record<string, string[]> = {
  "aws:ecr/getAuthorizationToken:getAuthorizationToken": ["ecr:GetAuthorizationToken *"],
  // Answered for any caller (STS needs no permission), or computed without a call.
  "aws:index/getCallerIdentity:getCallerIdentity": [],
  "aws:index/getRegion:getRegion": [],
  "aws:index/getPartition:getPartition": [],
};

interface Statement {
  Effect: "Allow" | "Deny";
  Action: string[];
  Resource: string | string[];
}

const glob = (pattern: string, value: string, ignoreCase: boolean) =>
  new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`, ignoreCase ? "i" : "").test(
    value,
  );

/** "allowed", "denied" (an explicit Deny) or "implicitly denied", as IAM decides for one identity policy. */
function decide(statements: Statement[], action: string, resource: string): "allowed" | "denied" | "implicitly denied" {
  const matching = (effect: string) =>
    statements.filter(
      (s) =>
        s.Effect === effect &&
        s.Action.some((a) => glob(a, action, true)) &&
        [s.Resource].flat().some((r) => r === "*" || glob(r, resource, false)),
    );
  if (matching("Deny").length > 0) return "denied";
  return matching("Allow").length > 0 ? "allowed" : "implicitly denied";
}

describe("the preview role's policy (.github/iam/preview-role-policy.json)", function () {
  const text = fs.readFileSync(POLICY_FILE, "utf8");
  const statements: Statement[] = JSON.parse(text).Statement;

  it("grants every read a preview with refresh makes, for every resource type and call of every example stack", async function () {
    const types = new Set<string>();
    const callsBefore = calls.length;
    for (const stack of exampleStacks()) {
      for (const r of (await loadProgram(stack.config)).resources) if (!r.type.startsWith("whisper")) types.add(r.type);
    }
    const invokes = new Set(calls.slice(callsBefore).map((c) => c.token));
    const needs = [
      ...[...types].map((type) => [type, READS_FOR_REFRESH[type]] as const),
      ...[...invokes].map((token) => [token, READS_OF_INVOKES[token]] as const),
    ];
    for (const [what, reads] of needs) {
      assert.ok(reads, `${what}: list what its refresh reads here and grant it in ${path.relative(ROOT, POLICY_FILE)}`);
      for (const read of reads) {
        const [action, resource] = read.split(" ");
        assert.equal(decide(statements, action, resource), "allowed", `${what}: ${read}`);
      }
    }
  });

  it("reads no object of any bucket: no recording, transcript or error, even with more policies attached", function () {
    for (const key of [
      "async/inputs/web/1/talk.m4a",
      "async/outputs/1.out",
      "async/failures/1-error.out",
      "models/x",
    ]) {
      for (const action of ["s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectAttributes"]) {
        assert.equal(decide(statements, action, `arn:aws:s3:::whisper-storage-bucket-1a2b3c/${key}`), "denied");
      }
    }
    for (const s of statements.filter((x) => x.Effect === "Allow")) {
      for (const action of s.Action)
        assert.match(action, /^[a-z0-9-]+:(Describe|Get|List|BatchGet)/, `${action} reads only`);
    }
  });

  it("passes the IAM linter with only the registry token accepted (AWS has no narrower grant)", function () {
    const report = runChecker<{ findings: string[]; accepted: string[] }>("iam_lint.py", [
      { type: "aws:iam/policy:Policy", name: "preview-role", inputs: { policy: text } },
    ]);
    assert.deepEqual(report.findings, []);
    assert.equal(report.accepted.length, 1);
    assert.match(report.accepted[0], /^preview-role: CREDENTIALS_EXPOSURE +ecr:getauthorizationtoken/);
  });
});
