import * as pulumi from "@pulumi/pulumi";
import { ConfigError, loadStackConfig, type StackConfig } from "./components/config";
import { uploadIdentityEnvironment } from "./components/upload-identity";
import { WhisperService } from "./components/whisper-service";

/** Runs a config loader; a bad value fails preview with just the message (key and allowed values). */
function validated<T>(load: () => T): T {
  try {
    return load();
  } catch (e) {
    // A RunError prints its message without a stack trace.
    if (e instanceof ConfigError) throw new pulumi.RunError(e.message);
    throw e;
  }
}

const raw = new pulumi.Config("whisper-async");
const awsProvider = new pulumi.Config("aws");
const config: StackConfig = validated(() => loadStackConfig((key) => raw.get(key)));

// The stack's settings are the component's args (same names); the endpoint is named `whisper-<stack>-<type>`.
const service = new WhisperService("whisper", {
  ...config,
  callers: [...config.callers],
  uploadIdentityEnvironment: validated(() =>
    uploadIdentityEnvironment(
      (key) => awsProvider.get(key),
      (key) => awsProvider.getSecret(key),
    ),
  ),
});

export const endpointName = service.endpointName;
export const bucketName = service.bucketName;
export const inputPrefix = service.inputPrefix;
export const outputPrefix = service.outputPrefix;
export const failurePrefix = service.failurePrefix;
export const successTopicArn = service.successTopicArn;
export const errorTopicArn = service.errorTopicArn;
export const dashboardUrl = service.dashboardUrl;
export const clientPolicyArn = service.clientPolicyArn;
export const callerPolicyArns = service.callerPolicyArns;
export const imageUri = service.imageUri;
export const modelDataUrl = service.modelDataUrl;
export const variantName = service.variantName;
export const instancePricePerHour = service.instancePricePerHour;
export const endpointQuotaName = service.endpointQuotaName;
export const instancesNeededDuringUpdate = service.instancesNeededDuringUpdate;
