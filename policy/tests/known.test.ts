import * as assert from "node:assert/strict";
import { unknownCheckingProxy } from "@pulumi/policy";
import { at, listOf, plain, text, UNKNOWN } from "../lib/known";
import { readStatements } from "../lib/policy-documents";
import { UNKNOWN_DURING_PREVIEW } from "./harness";

describe("reading resource properties that may be unknown", () => {
  const props = () =>
    unknownCheckingProxy({
      name: "whisper",
      settings: { count: 2, tags: ["a", UNKNOWN_DURING_PREVIEW], arn: UNKNOWN_DURING_PREVIEW },
      list: UNKNOWN_DURING_PREVIEW,
    }) as Record<string, unknown>;

  it("is needed: the SDK's proxy throws when an unknown value is read", () => {
    assert.throws(() => (props().settings as Record<string, unknown>).arn, /can't be known during preview/);
  });

  it("copies known values and marks unknown ones, at any depth, without throwing", () => {
    assert.deepEqual(plain(props()), {
      name: "whisper",
      settings: { count: 2, tags: ["a", UNKNOWN], arn: UNKNOWN },
      list: UNKNOWN,
    });
  });

  it("walks paths and lists, keeping unknown apart from missing", () => {
    const copy = plain(props());
    assert.equal(at(copy, "settings", "count"), 2);
    assert.equal(at(copy, "settings", "arn"), UNKNOWN);
    assert.equal(at(copy, "list", "deeper"), UNKNOWN);
    assert.equal(at(copy, "missing", "deeper"), undefined);
    assert.equal(listOf(copy.list), UNKNOWN);
    assert.deepEqual(listOf(copy.name), ["whisper"]);
    assert.deepEqual(listOf(copy.missing), []);
    assert.equal(text(""), undefined);
    assert.equal(text(UNKNOWN), UNKNOWN);
  });
});

describe("reading policy documents", () => {
  const statement = { Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" };

  it("accepts JSON text and objects, with one statement or a list", () => {
    assert.deepEqual(readStatements(JSON.stringify({ Statement: [statement] })), {
      kind: "statements",
      statements: [statement],
    });
    assert.deepEqual(readStatements({ Statement: statement }), { kind: "statements", statements: [statement] });
  });

  it("tells unknown documents from invalid ones", () => {
    assert.deepEqual(readStatements(UNKNOWN), { kind: "unknown" });
    assert.equal(readStatements("{").kind, "invalid");
    assert.equal(readStatements("[1]").kind, "invalid");
  });
});
