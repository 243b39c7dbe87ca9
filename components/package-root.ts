/**
 * Where the component's own files (container/, scripts/package-model) are, as paths relative to the directory the
 * program runs in. In this repository that is "." and the paths read as before ("container/Dockerfile"); in another
 * program the package sits under node_modules, and its paths are relative to that program's directory. Relative,
 * never absolute: an absolute checkout path differs between a laptop and CI, and the diff would rebuild the image
 * and re-run the model upload.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** This npm package's name (package.json), which is also the component package's name. */
export const PACKAGE_NAME = "whisper-sagemaker-async";

/** The directory of this package's package.json, found upward from this module (in components/ or dist/components/). */
function packageRoot(): string {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const manifest = path.join(dir, "package.json");
    if (fs.existsSync(manifest) && JSON.parse(fs.readFileSync(manifest, "utf8")).name === PACKAGE_NAME) return dir;
  }
  throw new Error(`no package.json of ${PACKAGE_NAME} above ${__dirname}`);
}

/** `file` (a path inside the package, "/" separated) relative to the working directory, "." for the root itself. */
export function packagePath(file: string = "", cwd: string = process.cwd()): string {
  const relative = path.relative(cwd, path.join(packageRoot(), file));
  return relative === "" ? "." : relative.split(path.sep).join("/");
}

/**
 * The command that runs one of the package's scripts (`script` without its extension, e.g.
 * "scripts/package-model"): the TypeScript entry under tsx where the component runs from its sources (this
 * repository: `node_modules/.bin/tsx scripts/package-model.ts`), the compiled JavaScript under node where it runs
 * from the package's build (`node node_modules/whisper-sagemaker-async/dist/scripts/package-model.js`).
 */
export function scriptCommand(script: string, cwd: string = process.cwd()): string {
  const fromSources = __filename.endsWith(".ts");
  if (fromSources) return `${packagePath("node_modules/.bin/tsx", cwd)} ${packagePath(`${script}.ts`, cwd)}`;
  return `node ${packagePath(`dist/${script}.js`, cwd)}`;
}
