import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { buildSync } from "esbuild";

/** Node.js runtime of the functions: the oldest LTS Lambda runs that the project supports (package.json engines). */
export const FUNCTION_RUNTIME = "nodejs22.x";
/** The esbuild target matching {@link FUNCTION_RUNTIME}. */
const BUNDLE_TARGET = "node22";
/** The file inside the archive, and the handler setting pointing at its `handler` export. */
const BUNDLE_FILE = "index.js";
export const FUNCTION_HANDLER = "index.handler";

const bundles = new Map<string, string>();

/**
 * One Lambda handler (a TypeScript file of this repository) bundled by esbuild into one CommonJS file, the AWS SDK
 * clients it uses included: the deployed code runs with the SDK versions the tests ran, not whichever the runtime
 * ships. Built while the program runs (preview and up), once per process; any change to the source changes the
 * archive, so the function is updated.
 */
export function bundledHandler(entry: string): string {
  const cached = bundles.get(entry);
  if (cached !== undefined) return cached;
  const result = buildSync({
    entryPoints: [path.join(__dirname, "..", entry)],
    bundle: true,
    platform: "node",
    target: BUNDLE_TARGET,
    format: "cjs",
    minify: true,
    legalComments: "none",
    write: false,
    logLevel: "silent",
  });
  const code = result.outputFiles[0].text;
  bundles.set(entry, code);
  return code;
}

/** The Lambda deployment package of one handler: a zip with the bundle as `index.js`. */
export function handlerArchive(entry: string): pulumi.asset.AssetArchive {
  return new pulumi.asset.AssetArchive({ [BUNDLE_FILE]: new pulumi.asset.StringAsset(bundledHandler(entry)) });
}
