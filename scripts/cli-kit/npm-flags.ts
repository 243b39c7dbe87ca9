/**
 * `npm start --audio x.ogg` (no `--`) hands `--audio` to npm, not to the command: npm keeps it as its own setting,
 * exports it to the script as `npm_config_audio`, and the command sees only `x.ogg`. The CLIs look for their own
 * options among those variables and say what happened, instead of a puzzling "Unexpected argument" or "--out DIR is
 * required".
 */
import { parseCli, type CliSpec, type ParsedCli } from "./args";
import { UsageError } from "../../clients/typescript/src/errors";

/** The command the user typed, from npm's `npm_lifecycle_event`: `npm start` or `npm run <script>`. */
function npmCommand(env: NodeJS.ProcessEnv): string | undefined {
  const script = env.npm_lifecycle_event;
  if (!script) return undefined;
  return ["start", "test"].includes(script) ? `npm ${script}` : `npm run ${script}`;
}

/**
 * The options of `spec` that npm took for itself, when run by npm: npm reads a flag it does not know as a boolean
 * and exports it as `npm_config_<name>=true` (its own settings, such as `npm_config_prefix`, hold other values).
 */
export function optionsNpmTook(spec: CliSpec, env: NodeJS.ProcessEnv): string[] {
  if (!npmCommand(env)) return [];
  return Object.keys(spec.options).filter((name) => env[`npm_config_${name.replaceAll("-", "_")}`] === "true");
}

/**
 * {@link parseCli}, first checking that npm kept none of the command's options, and adding the same hint to an
 * "Unexpected argument" under npm (npm keeps a flag it half-knows, e.g. `--format` as its `--format-package-lock`,
 * under another name, and passes the flag's value on as an argument).
 */
export function parseCliUnderNpm(spec: CliSpec, argv: readonly string[], env: NodeJS.ProcessEnv) {
  const command = npmCommand(env);
  const taken = optionsNpmTook(spec, env).map((name) => `--${name}`);
  if (command && taken.length > 0) {
    throw new UsageError(
      `npm took ${taken.join(", ")} for itself (options go after \`--\`): did you mean \`${command} -- ${taken[0]} ...\`?`,
    );
  }
  try {
    return parseCli(spec, argv) satisfies ParsedCli | undefined;
  } catch (error) {
    if (!command || !(error instanceof UsageError) || !/Unexpected argument/.test(error.message)) throw error;
    throw new UsageError(
      `${error.message}; npm passes on only what follows \`--\`: did you mean \`${command} -- --<option> ...\`?`,
      { cause: error },
    );
  }
}
