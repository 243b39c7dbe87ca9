/**
 * The component package's schema as `pulumi package add` infers it: the same analyzer the component provider host
 * runs (@pulumi/pulumi/provider/experimental), over this package's TypeScript types. `npm run schema` writes it to
 * schema.json; tests/component/schema.test.ts fails while the checked-in file differs from what the analyzer infers.
 *
 * Usage: tsx tools/component-schema.ts [--write]   (without --write: print it)
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Analyzer } from "@pulumi/pulumi/provider/experimental/analyzer";
import { generateSchema, type PackageSpec } from "@pulumi/pulumi/provider/experimental/schema";

export const ROOT = path.resolve(__dirname, "..");
export const SCHEMA_FILE = path.join(ROOT, "schema.json");
/** The components the package exports (components/index.ts), by class name. */
export const COMPONENTS = ["WhisperService"];

/** The schema the provider host would serve for this package, as the host names it (package.json's name). */
export function inferSchema(): PackageSpec {
  const packageJSON = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
  const name: string = packageJSON.name;
  const analyzer = new Analyzer(ROOT, name, packageJSON, new Set(COMPONENTS));
  const { components, typeDefinitions, dependencies } = analyzer.analyze();
  return generateSchema(name, packageJSON.version, packageJSON.description, components, typeDefinitions, dependencies);
}

/** The schema as schema.json holds it: two-space JSON and a final newline. */
export function schemaText(schema: PackageSpec): string {
  return JSON.stringify(schema, null, 2) + "\n";
}

if (require.main === module) {
  const text = schemaText(inferSchema());
  if (process.argv.includes("--write")) {
    fs.writeFileSync(SCHEMA_FILE, text);
    console.error(`wrote ${path.relative(process.cwd(), SCHEMA_FILE)}`);
  } else {
    process.stdout.write(text);
  }
}
