/** The toolkit's parser and readers: what every CLI's flags go through. */
import assert from "node:assert/strict";
import { formatHelp, numberOption, parseCli, type CliSpec } from "../../scripts/cli-kit/args";
import { httpUrl } from "../../clients/typescript/src/http-url";
import { UsageError } from "../../clients/typescript/src/errors";
import { isNotFound } from "../../clients/typescript/src/s3";

const spec: CliSpec = {
  usage: "Usage: tool [options]",
  options: {
    size: { type: "string", value: "N", help: "A size. Default 4." },
    help: { type: "boolean", short: "h", help: "show this help" },
  },
  notes: "Exit codes: 0 done.",
};

describe("cli-kit arguments", () => {
  it("generates the help from the spec: aliases, placeholders, then the notes", () => {
    assert.equal(
      formatHelp(spec),
      [
        "Usage: tool [options]",
        "",
        "Options:",
        "  --size N    A size. Default 4.",
        "  -h, --help  show this help",
        "",
        "Exit codes: 0 done.",
      ].join("\n"),
    );
  });

  it("writes the help where it is told to, for --help and a declared alias", () => {
    for (const flag of ["--help", "-h"]) {
      const printed: string[] = [];
      assert.equal(
        parseCli(spec, [flag], (text) => printed.push(text)),
        undefined,
      );
      assert.deepEqual(printed, [formatHelp(spec)]);
    }
    assert.throws(() => parseCli({ usage: "u", options: {} }, ["-h"]), UsageError);
  });

  it("reads integers as plain decimal digits only", () => {
    const read = (raw: string) => numberOption({ size: raw }, "size", { min: 1, max: 64 });
    assert.equal(read("64"), 64);
    for (const raw of ["0x10", "1e1", "64.0", "+4", "-1", "65", "four"]) {
      assert.throws(() => read(raw), new UsageError(`--size must be an integer from 1 to 64, got "${raw}"`));
    }
    assert.equal(numberOption({ t: "0.5" }, "t", { min: 0, max: 1, integer: false }), 0.5);
  });

  it("accepts http(s) URLs only, without the trailing slash", () => {
    assert.equal(httpUrl("http://127.0.0.1:9/", "HF_ENDPOINT", "https://huggingface.co"), "http://127.0.0.1:9");
    assert.throws(
      () => httpUrl("ftp://hub", "HF_ENDPOINT", "https://huggingface.co"),
      /HF_ENDPOINT must be an http\(s\) URL/,
    );
    assert.throws(() => httpUrl("http://h/?q=1", "--local", "http://127.0.0.1:8080", { plain: true }), /without query/);
  });
});

describe("cli-kit S3", () => {
  it("takes a 404, NotFound or NoSuchKey for a missing object, never a missing bucket", () => {
    assert.equal(isNotFound({ name: "NotFound", $metadata: { httpStatusCode: 404 } }), true);
    assert.equal(isNotFound({ name: "NoSuchKey", $metadata: {} }), true);
    assert.equal(isNotFound({ name: "Unknown", $metadata: { httpStatusCode: 404 } }), true);
    assert.equal(isNotFound({ name: "NoSuchBucket", $metadata: { httpStatusCode: 404 } }), false);
    assert.equal(isNotFound({ name: "AccessDenied", $metadata: { httpStatusCode: 403 } }), false);
    assert.equal(isNotFound(new Error("socket hang up")), false);
    assert.equal(isNotFound(undefined), false);
  });
});
