/** package-model's command line: every usage error exits 2 with a message naming the flag or variable. */
import assert from "node:assert/strict";
import { runCli as runCliInProcess } from "../../scripts/package-model/cli";
import { parseCliOptions } from "../../scripts/package-model/options";
import { REVISION, runCli } from "./helpers";

const hub = ["--repo", "Systran/faster-whisper-large-v3", "--revision", REVISION, "--bucket", "models-bucket"];

describe("package-model options", () => {
  it("applies the documented defaults", () => {
    assert.deepEqual(parseCliOptions(hub, {}), {
      source: { kind: "hub", repo: "Systran/faster-whisper-large-v3", revision: REVISION },
      bucket: "models-bucket",
      prefix: "models/",
      tuning: { partSizeBytes: 64 * 1024 * 1024, queueSize: 4 },
      hfEndpoint: "https://huggingface.co",
      hfToken: undefined,
    });
  });

  it("reads HF_ENDPOINT (trailing slash dropped) and HF_TOKEN, and lower-cases the revision", () => {
    const options = parseCliOptions(
      ["--repo", "org/m", "--revision", REVISION.toUpperCase(), "--bucket", "b-1", "--prefix", ""],
      { HF_ENDPOINT: "http://127.0.0.1:9/", HF_TOKEN: "hf_x" },
    );
    assert.ok(options !== "help");
    assert.equal(options.hfEndpoint, "http://127.0.0.1:9");
    assert.equal(options.hfToken, "hf_x");
    assert.equal(options.prefix, "");
    assert.deepEqual(options.source, { kind: "hub", repo: "org/m", revision: REVISION });
  });

  const usageErrors: Array<[string, string[], Record<string, string>, RegExp]> = [
    ["no source", ["--bucket", "b-1"], {}, /give --repo <org\/name> with --revision <commit>, or --local-dir/],
    ["no revision", ["--repo", "org/m", "--bucket", "b-1"], {}, /--revision is required with --repo/],
    [
      "branch revision",
      ["--repo", "org/m", "--revision", "main", "--bucket", "b-1"],
      {},
      /--revision must be a full 40-hex commit/,
    ],
    [
      "bad repo",
      ["--repo", "org/../m", "--revision", REVISION, "--bucket", "b-1"],
      {},
      /--repo must be a Hugging Face repository id/,
    ],
    ["both sources", [...hub, "--local-dir", "."], {}, /either --local-dir or --repo/],
    ["no bucket", ["--local-dir", "."], {}, /--bucket is required/],
    ["bad bucket", ["--local-dir", ".", "--bucket", "My_Bucket"], {}, /--bucket must be a valid S3 bucket name/],
    ["prefix without slash", [...hub, "--prefix", "models"], {}, /--prefix must be "" or a key prefix/],
    ["prefix with leading slash", [...hub, "--prefix", "/models/"], {}, /--prefix must be/],
    ["part size too small", [...hub, "--part-size-mb", "4"], {}, /--part-size-mb must be an integer from 5 to 5120/],
    ["queue size not a number", [...hub, "--queue-size", "two"], {}, /--queue-size must be an integer from 1 to 32/],
    ["unknown flag", [...hub, "--force"], {}, /Unknown option '--force'/],
    ["positional", [...hub, "extra"], {}, /Unexpected argument 'extra'/],
    ["bad HF_ENDPOINT", hub, { HF_ENDPOINT: "ftp://hub" }, /HF_ENDPOINT must be an http\(s\) URL/],
  ];
  for (const [name, argv, env, message] of usageErrors) {
    it(`usage error, exit 2: ${name}`, async () => {
      let stderr = "";
      const code = await runCliInProcess(argv, env, { stdout: () => undefined, stderr: (t) => (stderr += t) });
      assert.equal(code, 2);
      assert.match(stderr, message);
    });
  }

  describe("as a process", function () {
    this.timeout(30_000);

    it("--help prints usage on stdout and exits 0; a usage error exits 2 with nothing on stdout", async () => {
      const help = await runCli(["--help"], undefined);
      assert.equal(help.code, 0);
      assert.match(help.stdout, /^Usage:\n {2}package-model --repo <org\/name> --revision <40-hex commit>/);
      const bad = await runCli(["--repo", "org/m", "--revision", "main", "--bucket", "b-1"], undefined);
      assert.equal(bad.code, 2);
      assert.equal(bad.stdout, "");
      assert.match(bad.stderr, /--revision must be a full 40-hex commit/);
    });
  });
});
