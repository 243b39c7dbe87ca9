/**
 * The CLIs under test as plain JavaScript: each `scripts/<name>.ts` entry bundled once per mocha run by esbuild into
 * one CommonJS file that `node` starts directly.
 *
 * Why: `tsx scripts/x.ts` costs about 0.4-0.9 CPU-seconds a start before the CLI does anything (the `tsx` command,
 * a second Node.js process it starts, and the loader resolving and transforming every TypeScript module), and the
 * suite starts CLIs about a hundred times; plain `node` on a bundle starts in about 0.15 s. Only the project's own
 * TypeScript is bundled: packages stay `require`d from node_modules exactly as installed. Each module's `__dirname`
 * and `__filename` are those of its source file, as under tsx, so paths the CLIs compute from them (the repository
 * root, the fixtures) are unchanged. Tests that check the entry users run (`npm run ...`, the `tsx` command) still
 * run it: tests/cli-kit/npm-run.test.ts, tests/client/entry-point.test.ts and tests/deploy-checks.
 *
 * The bundles are written under node_modules/.cache (ignored by git, removed with node_modules), each through a
 * temporary file and a rename, so a concurrent run never starts half a file.
 */
import { build, type Plugin } from "esbuild";
import { readFileSync, renameSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { repoRoot } from "./moto";

const BUNDLE_DIR = join(repoRoot, "node_modules", ".cache", "whisper-sagemaker-async", "test-cli");
const built = new Map<string, Promise<string>>();

/** Gives every bundled source file its own `__dirname` and `__filename` (esbuild would leave the bundle's). */
const sourcePaths: Plugin = {
  name: "source-paths",
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, (args) => {
      const source = readFileSync(args.path, "utf8")
        .replace(/\b__dirname\b/g, JSON.stringify(dirname(args.path)))
        .replace(/\b__filename\b/g, JSON.stringify(args.path));
      return { contents: source, loader: "ts", resolveDir: dirname(args.path) };
    });
  },
};

/**
 * The path of the bundle of `entry` (a path from the repository root, e.g. `scripts/transcribe.ts`), built on the
 * first call in this process.
 */
export function cliBundle(entry: string): Promise<string> {
  let bundle = built.get(entry);
  if (!bundle) {
    bundle = buildBundle(entry);
    built.set(entry, bundle);
  }
  return bundle;
}

async function buildBundle(entry: string): Promise<string> {
  const outfile = join(BUNDLE_DIR, `${entry.replace(/\.ts$/, "").replaceAll("/", "-")}.cjs`);
  const partial = `${outfile}.${process.pid}.partial`;
  try {
    await build({
      entryPoints: [join(repoRoot, entry)],
      outfile: partial,
      bundle: true,
      platform: "node",
      format: "cjs",
      packages: "external",
      logLevel: "error",
      plugins: [sourcePaths],
    });
    renameSync(partial, outfile);
  } finally {
    rmSync(partial, { force: true });
  }
  return outfile;
}
