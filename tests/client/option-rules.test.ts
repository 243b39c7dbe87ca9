/**
 * The option rules of the TypeScript client on the cases the Python client is tested on too
 * (clients/option-cases.json, clients/python/tests/test_option_rules.py): one set of rules from the packaged
 * contract, the same CustomAttributes string, the same refusals before any upload.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { checkDecodingOptions } from "../../clients/typescript/src/decoding-check";
import { customAttributesFor, type DecodingOptions } from "../../clients/typescript/src/options";
import { repoRoot } from "../support/moto";

interface Cases {
  readonly accepted: readonly { readonly options: object; readonly attributes: string | null }[];
  readonly refused: readonly { readonly options: object; readonly error: string }[];
}
const CASES: Cases = JSON.parse(readFileSync(join(repoRoot, "clients", "option-cases.json"), "utf8"));

const attributesOf = (options: object) => customAttributesFor(checkDecodingOptions(options as DecodingOptions));

describe("option rules shared with the Python client (clients/option-cases.json)", () => {
  for (const { options, attributes } of CASES.accepted) {
    it(`accepts ${JSON.stringify(options)}`, () => {
      assert.equal(attributesOf(options) ?? null, attributes);
    });
  }
  for (const { options, error } of CASES.refused) {
    it(`refuses ${JSON.stringify(options)}`, () => {
      assert.throws(() => attributesOf(options), new RegExp(error));
    });
  }
});
