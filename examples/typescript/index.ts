/**
 * A team's own Pulumi program with the speech-to-text service in it: a few args, everything else at its default
 * (docs/component.md lists them). `npm test` runs this file under Pulumi's mocks (tests/component/examples.test.ts)
 * and checks that it creates what this repository's stack creates with the same settings.
 */
import { WhisperService } from "whisper-sagemaker-async";

const captions = new WhisperService("captions", {
  maxInstances: 1,
  idleMinutes: 10,
  speakerLabels: "on-request",
  callers: ["web"],
  tags: { team: "media" },
});

export const endpointName = captions.endpointName;
export const bucketName = captions.bucketName;
export const inputPrefix = captions.inputPrefix;
export const clientPolicyArn = captions.clientPolicyArn;
export const callerPolicyArns = captions.callerPolicyArns;
export const dashboardUrl = captions.dashboardUrl;
