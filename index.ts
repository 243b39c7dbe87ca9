import * as pulumi from "@pulumi/pulumi";
import { ConfigError, loadStackConfig, type StackConfig } from "./components/config";
import { WhisperService } from "./components/whisper-service";

/** The validated stack config; a bad value fails preview with just the message (key and allowed values). */
function stackConfig(): StackConfig {
  const raw = new pulumi.Config("whisper-async");
  try {
    return loadStackConfig((key) => raw.get(key));
  } catch (e) {
    // A RunError prints its message without a stack trace.
    if (e instanceof ConfigError) throw new pulumi.RunError(e.message);
    throw e;
  }
}

const service = new WhisperService("whisper", {
  config: stackConfig(),
  endpointNamePrefix: `whisper-${pulumi.getStack()}`,
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
export const imageUri = service.imageUri;
export const modelDataUrl = service.modelDataUrl;
export const variantName = service.variantName;
export const instancePricePerHour = service.instancePricePerHour;
