/**
 * The component package's schema: schema.json must be what the component provider host's analyzer infers from the
 * TypeScript types today (a changed argument without `npm run schema` fails here), and the args table of
 * docs/component.md must list every argument of that schema with its type and the default its TSDoc states.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { DEFAULTS } from "../../components/config";
import { inferSchema, schemaText, ROOT, SCHEMA_FILE } from "../../tools/component-schema";

const TOKEN = "whisper-sagemaker-async:index:WhisperService";

interface SchemaProperty {
  type?: string;
  items?: { type?: string };
  additionalProperties?: { type?: string };
  description?: string;
  plain?: boolean;
}

/** The type as the docs table writes it: `string`, `number`, `boolean`, `string[]`, `map of string`. */
function typeName(property: SchemaProperty): string {
  if (property.type === "array") return `${property.items?.type}[]`;
  if (property.type === "object") return `map of ${property.additionalProperties?.type}`;
  return String(property.type);
}

/** The default a description states: the text after "Defaults to", up to the end of its sentence. */
function statedDefault(description: string): string {
  const match = /Defaults to (.+?)(?:\.$|\.\s|:)/s.exec(description.replace(/\n/g, " "));
  assert.ok(match, `no "Defaults to" in: ${description}`);
  return match[1].trim();
}

/** The rows of the table under "## Arguments": name -> [type, default]. */
function argsTable(): Map<string, [string, string]> {
  const text = fs.readFileSync(path.join(ROOT, "docs", "component.md"), "utf8");
  const section = text.split(/^## Arguments$/m)[1]?.split(/^## /m)[0] ?? "";
  const rows = new Map<string, [string, string]>();
  for (const line of section.split("\n")) {
    const cells = line.split("|").map((cell) => cell.trim());
    const name = /^`(\w+)`$/.exec(cells[1] ?? "")?.[1];
    if (name === undefined) continue;
    assert.ok(!rows.has(name), `${name} twice in the table`);
    rows.set(name, [cells[2].replace(/`/g, ""), cells[3]]);
  }
  return rows;
}

describe("the component package's schema (schema.json, docs/component.md)", function () {
  this.timeout(240_000);
  let inputs: Record<string, SchemaProperty>;

  before(function () {
    const schema = JSON.parse(fs.readFileSync(SCHEMA_FILE, "utf8"));
    inputs = schema.resources[TOKEN].inputProperties;
  });

  it("is what the analyzer infers from the component's types (run `npm run schema` after changing them)", function () {
    assert.equal(fs.readFileSync(SCHEMA_FILE, "utf8"), schemaText(inferSchema()));
  });

  it("documents every argument in docs/component.md with its type and stated default", function () {
    const table = argsTable();
    assert.deepEqual([...table.keys()].sort(), Object.keys(inputs).sort());
    for (const [name, property] of Object.entries(inputs)) {
      const [type, defaultText] = table.get(name)!;
      assert.equal(type, typeName(property), `${name}'s type`);
      assert.equal(defaultText, statedDefault(property.description ?? ""), `${name}'s default`);
    }
  });

  it("states in each argument's TSDoc the default that DEFAULTS (components/config.ts) applies", function () {
    for (const [name, value] of Object.entries(DEFAULTS)) {
      const stated = statedDefault(inputs[name]?.description ?? "");
      const expected = typeof value === "string" ? JSON.stringify(value) : String(value);
      assert.ok(
        stated === expected || stated.startsWith(`${expected} (`),
        `${name}: TSDoc says ${stated}, DEFAULTS ${expected}`,
      );
    }
  });
});
