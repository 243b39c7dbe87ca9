/**
 * Every command resource that calls AWS (the model upload, the image-manifest check, the post-update endpoint check)
 * acts as the stack's aws provider identity (components/upload-identity.ts), not as whoever runs the shell.
 */
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../../components/config";
import { requirePosixShell } from "../../components/command-shell";
import { uploadIdentityEnvironment } from "../../components/upload-identity";
import { loadProgram, resolve } from "./mocks";

function environment(plain: Record<string, string>, secret: Record<string, string> = {}) {
  return uploadIdentityEnvironment(
    (key) => plain[key],
    (key) => (secret[key] === undefined ? undefined : pulumi.secret(secret[key])),
  );
}

describe("model upload identity from the aws provider config", function () {
  it("passes nothing when the provider uses the shell's default credentials", function () {
    assert.deepEqual(environment({}), {});
  });

  it("passes aws:profile and the shared files, and static keys as secrets", async function () {
    const env = environment(
      {
        profile: "deployer",
        sharedCredentialsFiles: '["/ci/credentials"]',
        sharedConfigFiles: '["/ci/config"]',
      },
      { accessKey: "AKIAEXAMPLE", secretKey: "s3cr3t", token: "t0k3n" },
    );
    assert.equal(env.AWS_PROFILE, "deployer");
    assert.equal(env.AWS_SHARED_CREDENTIALS_FILE, "/ci/credentials");
    assert.equal(env.AWS_CONFIG_FILE, "/ci/config");
    for (const [key, value] of [
      ["AWS_ACCESS_KEY_ID", "AKIAEXAMPLE"],
      ["AWS_SECRET_ACCESS_KEY", "s3cr3t"],
      ["AWS_SESSION_TOKEN", "t0k3n"],
    ]) {
      const output = env[key] as pulumi.Output<string>;
      assert.equal(await resolve(output), value);
      assert.equal(await resolve(pulumi.isSecret(output)), true, `${key} stays secret`);
    }
  });

  it("refuses assume-role settings and several shared files, naming the setting and the way out", function () {
    for (const key of ["assumeRoles", "assumeRoleWithWebIdentity"]) {
      assert.throws(
        () => environment({ [key]: '[{"roleArn":"arn:aws:iam::123456789012:role/deploy"}]' }),
        (e: unknown) =>
          e instanceof ConfigError &&
          e.message.startsWith(`aws:${key} is not passed on`) &&
          /aws:profile/.test(e.message),
      );
    }
    assert.throws(
      () => environment({ sharedConfigFiles: '["/a","/b"]' }),
      /aws:sharedConfigFiles must list exactly one file/,
    );
  });

  it("reaches every command of the program, and a bad setting fails the program by its message", async function () {
    const { resources } = await loadProgram({
      "aws:region": "eu-west-1",
      "whisper-async:instancePricePerHour": "0.9",
      "aws:profile": "deployer",
      "aws:sharedConfigFiles": '["/ci/config"]',
    });
    // Every command of the program calls AWS; a new one without the identity fails here.
    const commands = resources.filter((r) => r.type === "command:local:Command");
    assert.deepEqual(commands.map((c) => c.name.replace(/^whisper-/, "")).sort(), [
      "endpoint-verify",
      "image-manifest-check",
      "model-package",
    ]);
    for (const command of commands) {
      assert.deepEqual(
        command.inputs.environment,
        { AWS_PROFILE: "deployer", AWS_CONFIG_FILE: "/ci/config", AWS_REGION: "eu-west-1" },
        command.name,
      );
    }
    await assert.rejects(
      loadProgram({ "aws:region": "us-east-1", "aws:assumeRoles": '[{"roleArn":"arn:aws:iam::123456789012:role/x"}]' }),
      (e: unknown) => e instanceof pulumi.RunError && /^aws:assumeRoles is not passed on/.test(e.message),
    );
  });

  it("refuses native Windows (cmd cannot run the commands) with the way out, and runs under WSL, Linux or macOS", function () {
    assert.throws(
      () => requirePosixShell("win32"),
      (e: unknown) => e instanceof pulumi.RunError && /POSIX shell/.test(e.message) && /inside WSL/.test(e.message),
    );
    for (const platform of ["linux", "darwin"] as const) requirePosixShell(platform);
  });
});
