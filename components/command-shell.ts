import * as pulumi from "@pulumi/pulumi";

/**
 * The deploy commands (the model upload and the deploy checks, `command.local.Command`) are POSIX shell lines:
 * `node_modules/.bin/tsx ...` with single-quoted words. pulumi-command runs them with `/bin/sh -c`, except on
 * Windows, where its default interpreter is `cmd /C`, which cannot run them. Under WSL Node reports "linux", so only
 * native Windows is refused, at preview, before any resource is created: the message says what to use instead.
 */
export function requirePosixShell(platform: NodeJS.Platform = process.platform): void {
  if (platform === "win32") {
    throw new pulumi.RunError(
      "this program runs its deploy commands (model upload, image and endpoint checks) with a POSIX shell, which " +
        "Windows' cmd is not: run Pulumi inside WSL (Windows Subsystem for Linux), with the repository checked out " +
        "there, or on Linux or macOS",
    );
  }
}
