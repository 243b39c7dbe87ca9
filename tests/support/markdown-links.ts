/**
 * Finds the relative links of Markdown files that lead nowhere: a file that does not exist, or a `#anchor` that no
 * heading of the target file produces. Anchors are made as GitHub renders headings (lower case, punctuation
 * dropped except `-` and `_`, each space a `-`, a repeated heading suffixed `-1`, `-2` ...). Links and headings in
 * fenced code blocks and in inline code are not links; absolute URLs (`https:`, `mailto:` ...) are not checked.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";

/** One link that leads nowhere: where it is, what it says, and why it fails. */
export interface BrokenLink {
  readonly file: string;
  readonly line: number;
  readonly target: string;
  readonly reason: string;
}

/** The lines of `markdown` outside fenced code blocks, with inline code blanked out, numbered from 1. */
function proseLines(markdown: string): { line: number; text: string }[] {
  const lines: { line: number; text: string }[] = [];
  let fence: string | undefined;
  markdown.split("\n").forEach((text, index) => {
    const marker = /^\s*(`{3,}|~{3,})/.exec(text)?.[1];
    if (marker !== undefined && (fence === undefined || marker.startsWith(fence))) {
      fence = fence === undefined ? marker : undefined;
      return;
    }
    if (fence === undefined) lines.push({ line: index + 1, text: text.replace(/`+[^`]*`+/g, "") });
  });
  return lines;
}

/** The anchor GitHub gives a heading's text. */
export function headingAnchor(heading: string): string {
  const text = heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/[`*]/g, "")
    .trim()
    .toLowerCase();
  return text.replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, "").replace(/ /g, "-");
}

/** Every anchor the headings of `markdown` produce (fenced code left out). */
export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fence = false;
  for (const text of markdown.split("\n")) {
    if (/^\s*(`{3,}|~{3,})/.test(text)) fence = !fence;
    const heading = fence ? null : /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(text);
    if (!heading) continue;
    const anchor = headingAnchor(heading[1]);
    const count = seen.get(anchor) ?? 0;
    seen.set(anchor, count + 1);
    anchors.add(count === 0 ? anchor : `${anchor}-${count}`);
  }
  return anchors;
}

/** The relative links of `file` (its text read from disk unless given) that lead nowhere. */
export function brokenLinks(file: string, markdown = readFileSync(file, "utf8")): BrokenLink[] {
  const broken: BrokenLink[] = [];
  for (const { line, text } of proseLines(markdown)) {
    for (const match of text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      const target = match[1];
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
      const [path, anchor] = target.split("#", 2) as [string, string | undefined];
      const resolved = path === "" ? file : resolve(dirname(file), decodeURIComponent(path));
      const fail = (reason: string) => broken.push({ file, line, target, reason });
      if (!existsSync(resolved)) {
        fail("no such file");
        continue;
      }
      if (anchor === undefined || anchor === "") continue;
      if (statSync(resolved).isDirectory() || !resolved.endsWith(".md")) {
        fail("an anchor into something that is not a Markdown file");
        continue;
      }
      const text = resolved === file ? markdown : readFileSync(resolved, "utf8");
      if (!anchorsOf(text).has(decodeURIComponent(anchor))) fail(`no heading makes #${anchor}`);
    }
  }
  return broken;
}
