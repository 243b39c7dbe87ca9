// Every relative link and #anchor in README.md and docs/*.md leads to a file and a heading that exist.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { anchorsOf, brokenLinks, headingAnchor } from "../support/markdown-links";

const root = resolve(__dirname, "..", "..");
const docsPages = readdirSync(join(root, "docs")).filter((name) => name.endsWith(".md"));
const pages = [join(root, "README.md"), ...docsPages.map((name) => join(root, "docs", name))];

describe("documentation links", () => {
  for (const page of pages) {
    it(`${page.slice(root.length + 1)}: every relative link and anchor resolves`, () => {
      assert.deepEqual(brokenLinks(page), []);
    });
  }

  it("the README points at every docs page", () => {
    const readme = readFileSync(join(root, "README.md"), "utf8");
    for (const name of docsPages.filter((name) => name !== "README.md")) {
      assert.ok(readme.includes(`](docs/${name})`), `README.md links no docs/${name}`);
    }
  });
});

describe("the link checker", () => {
  it("makes anchors as GitHub does", () => {
    assert.equal(headingAnchor("Config (`whisper-async:<key>`)"), "config-whisper-asynckey");
    assert.equal(
      headingAnchor("Choosing capacity: `maxInstances`, `idleMinutes`"),
      "choosing-capacity-maxinstances-idleminutes",
    );
    assert.equal(headingAnchor("The CLIs: `npm run smoke`, `npm start`"), "the-clis-npm-run-smoke-npm-start");
    assert.deepEqual([...anchorsOf("# Tests\n\n## Tests\n```\n# not a heading\n```\n")], ["tests", "tests-1"]);
  });

  it("reports a missing file, a missing anchor and an anchor into another page, and ignores code", () => {
    const dir = mkdtempSync(join(tmpdir(), "links-"));
    try {
      writeFileSync(join(dir, "other.md"), "# Other page\n\n## A section\n");
      const page = join(dir, "page.md");
      const text = [
        "# Page",
        "[ok](#page) [ok](other.md) [ok](other.md#a-section) [web](https://example.com/x.md#y)",
        "[gone](missing.md) [no anchor](#nowhere) [wrong page](other.md#page)",
        "`[in code](missing.md)`",
        "```",
        "[in a fence](missing.md)",
        "```",
      ].join("\n");
      writeFileSync(page, text);
      assert.deepEqual(
        brokenLinks(page).map(({ line, target, reason }) => [line, target, reason]),
        [
          [3, "missing.md", "no such file"],
          [3, "#nowhere", "no heading makes #nowhere"],
          [3, "other.md#page", "no heading makes #page"],
        ],
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
