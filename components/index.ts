/**
 * The component package: `import { WhisperService } from "whisper-sagemaker-async"` in a TypeScript program, or
 * `pulumi package add <this repository>` for an SDK in any Pulumi language (PulumiPlugin.yaml; the component provider
 * host finds the components this module exports). See docs/component.md.
 */
export { WhisperService, WHISPER_SERVICE_TYPE } from "./whisper-service";
export type { WhisperServiceArgs } from "./service-args";
export { DEFAULTS } from "./config";
