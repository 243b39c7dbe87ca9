/**
 * A stand-in CLI that prints, as JSON, paths the project's modules compute from their own `__dirname` and
 * `__filename`: run from its bundle, each must still be its source file's (tests/support/cli-bundle.ts).
 */
import { scriptCommand } from "../../components/package-root";
import { REPO_ROOT } from "../../scripts/client/local-server";
import { SAMPLE_AUDIO } from "../../scripts/client/sample";

console.log(
  JSON.stringify({ here: __filename, repoRoot: REPO_ROOT, sample: SAMPLE_AUDIO, command: scriptCommand("scripts/x") }),
);
