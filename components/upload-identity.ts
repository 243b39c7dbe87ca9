import type * as pulumi from "@pulumi/pulumi";
import { ConfigError, type ConfigGetter } from "./config";

/** Reads a secret config value of the `aws` namespace (an Output that stays secret), or undefined when unset. */
export type SecretGetter = (key: string) => pulumi.Output<string> | undefined;

/**
 * The environment that makes the AWS SDK in the command resources (`scripts/package-model`, `scripts/deploy-checks`)
 * act as the same identity as the stack's default `aws` provider, so they run with the provider's `aws:*` settings
 * rather than whatever credentials the shell happens to hold:
 * - `aws:profile` -> AWS_PROFILE (the SDK then skips AWS_ACCESS_KEY_ID & co. of the shell);
 * - `aws:sharedCredentialsFiles` / `aws:sharedConfigFiles` -> AWS_SHARED_CREDENTIALS_FILE / AWS_CONFIG_FILE;
 * - `aws:accessKey`, `aws:secretKey`, `aws:token` -> AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN
 *   (kept secret in the state).
 * Settings the SDK's environment cannot express are refused with the way to express them: `aws:assumeRoles` and
 * `aws:assumeRoleWithWebIdentity` (put `role_arn` + `source_profile` in a profile and set `aws:profile`), and more
 * than one shared file (the SDK reads one of each).
 */
export function uploadIdentityEnvironment(
  get: ConfigGetter,
  getSecret: SecretGetter,
): Record<string, pulumi.Input<string>> {
  for (const key of ["assumeRoles", "assumeRole", "assumeRoleWithWebIdentity"]) {
    if (get(key)) {
      throw new ConfigError(
        `aws:${key} is not passed on to the deploy commands (the model upload and the deploy checks), which would ` +
          "then run as another identity: define a profile with role_arn and source_profile in ~/.aws/config and " +
          "set aws:profile instead",
      );
    }
  }
  const environment: Record<string, pulumi.Input<string>> = {};
  const profile = get("profile");
  if (profile) environment.AWS_PROFILE = profile;
  const files = { sharedCredentialsFiles: "AWS_SHARED_CREDENTIALS_FILE", sharedConfigFiles: "AWS_CONFIG_FILE" };
  for (const [key, variable] of Object.entries(files)) {
    const path = onlyFile(key, get(key));
    if (path !== undefined) environment[variable] = path;
  }
  const secrets = { accessKey: "AWS_ACCESS_KEY_ID", secretKey: "AWS_SECRET_ACCESS_KEY", token: "AWS_SESSION_TOKEN" };
  for (const [key, variable] of Object.entries(secrets)) {
    const value = getSecret(key);
    if (value !== undefined) environment[variable] = value;
  }
  return environment;
}

/** The single file of a `aws:shared*Files` list (JSON), undefined when unset. */
function onlyFile(key: string, raw: string | undefined): string | undefined {
  if (raw === undefined || raw === "") return undefined;
  let files: unknown;
  try {
    files = JSON.parse(raw);
  } catch {
    files = undefined;
  }
  if (!Array.isArray(files) || files.length !== 1 || typeof files[0] !== "string") {
    throw new ConfigError(
      `aws:${key} must list exactly one file for the deploy commands (the AWS SDK reads one), got ${raw}`,
    );
  }
  return files[0];
}

/**
 * The environment of every command resource that calls AWS: the stack's identity ({@link uploadIdentityEnvironment})
 * and its region. Built once by WhisperService and handed to each such command, so none of them acts as the shell's
 * identity (tests/program/upload-identity.test.ts checks every command of the program for it).
 */
export function awsCommandEnvironment(
  identity: Record<string, pulumi.Input<string>> | undefined,
  region: pulumi.Input<string>,
): Record<string, pulumi.Input<string>> {
  return { ...identity, AWS_REGION: region };
}
