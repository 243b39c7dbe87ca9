import { PolicyPack } from "@pulumi/policy";
import { autoscalingPolicies } from "./autoscaling";
import { iamPolicies } from "./iam";
import { sagemakerPolicies } from "./sagemaker";
import { s3Policies } from "./s3";

// Constructing the pack starts the analyzer's gRPC server: only the Pulumi CLI loads this file
// (`pulumi preview --policy-pack policy`). Tests import the policy modules instead.
new PolicyPack("whisper-async-guardrails", {
  description: "Security and correctness invariants of the Whisper SageMaker async stack.",
  enforcementLevel: "mandatory",
  policies: [...s3Policies, ...iamPolicies, ...sagemakerPolicies, ...autoscalingPolicies],
});
