import * as pulumi from "@pulumi/pulumi";
import { ConfigError, loadStackConfig } from "./components/config";
import { WhisperService } from "./components/whisper-service";

const stackConfig = new pulumi.Config("whisper-async");
let config;
try {
  config = loadStackConfig((key) => stackConfig.get(key));
} catch (e) {
  // A RunError prints just the message (naming the key and allowed values), without a stack trace.
  if (e instanceof ConfigError) throw new pulumi.RunError(e.message);
  throw e;
}

const service = new WhisperService("whisper", {
  config,
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
