import { kmsStatements, type Statement } from "./execution-role";
import { PREFIXES } from "./storage";

/** What the drop folder's function policies are scoped to. */
export interface DropFolderResources {
  readonly bucketArn: string;
  readonly endpointArn: string;
  readonly deadLetterQueueArn: string;
  /** ARN of the function's own log group (without `:*`). */
  readonly logGroupArn: string;
  readonly kmsKeyArn?: string;
}

/** What every drop-folder function may do besides its own work: log, and hand what it cannot handle to the DLQ. */
function commonStatements(r: DropFolderResources): Statement[] {
  return [
    {
      Sid: "WriteOwnLogs",
      Effect: "Allow",
      Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
      Resource: `${r.logGroupArn}:*`,
    },
    { Sid: "SendToDeadLetterQueue", Effect: "Allow", Action: ["sqs:SendMessage"], Resource: r.deadLetterQueueArn },
    ...kmsStatements(r.kmsKeyArn),
  ];
}

/**
 * The submit function: reads dropped recordings, claims each version, writes error files, invokes the endpoint.
 * Not granted s3:ListBucket (S3 then answers 403 instead of 404 for a missing key, which the function expects).
 */
export function submitStatements(r: DropFolderResources): Statement[] {
  return [
    {
      Sid: "ReadDroppedRecordings",
      Effect: "Allow",
      Action: ["s3:GetObject"],
      Resource: `${r.bucketArn}/${PREFIXES.drop}*`,
    },
    {
      Sid: "ClaimRecordings",
      Effect: "Allow",
      Action: ["s3:PutObject", "s3:DeleteObject"],
      Resource: `${r.bucketArn}/${PREFIXES.dropClaims}*`,
    },
    // Copies of recordings whose keys cannot go into InvokeEndpointAsync's InputLocation as they are.
    {
      Sid: "StageInputs",
      Effect: "Allow",
      Action: ["s3:PutObject"],
      Resource: `${r.bucketArn}/${PREFIXES.dropInputs}*`,
    },
    {
      Sid: "WriteErrorFiles",
      Effect: "Allow",
      Action: ["s3:PutObject"],
      Resource: `${r.bucketArn}/${PREFIXES.results}*`,
    },
    {
      Sid: "InvokeEndpointAsync",
      Effect: "Allow",
      Action: ["sagemaker:InvokeEndpointAsync"],
      Resource: r.endpointArn,
    },
    ...commonStatements(r),
  ];
}

/** The deliver function: reads claims, responses and failures (and the recording's head), writes the results. */
export function deliverStatements(r: DropFolderResources): Statement[] {
  return [
    {
      Sid: "ReadClaimsAndResponses",
      Effect: "Allow",
      Action: ["s3:GetObject"],
      Resource: [
        `${r.bucketArn}/${PREFIXES.dropClaims}*`,
        `${r.bucketArn}/${PREFIXES.outputs}*`,
        `${r.bucketArn}/${PREFIXES.failures}*`,
        `${r.bucketArn}/${PREFIXES.drop}*`,
      ],
    },
    {
      Sid: "WriteResults",
      Effect: "Allow",
      Action: ["s3:PutObject", "s3:DeleteObject"],
      Resource: `${r.bucketArn}/${PREFIXES.results}*`,
    },
    ...commonStatements(r),
  ];
}

/** Who may assume a function's role: Lambda. */
export const LAMBDA_TRUST_POLICY = {
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
};
