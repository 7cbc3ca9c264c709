/**
 * Code extraction from a completion. Among the fenced blocks of the right language, the last one that
 * defines the function under test (chat answers often end with a block of usage examples); else all
 * blocks of that language joined; else the same over untagged blocks; else, when the text has no fenced
 * block at all, the whole text (a base model's continuation); blocks only in other languages mean no
 * code. An opening
 * fence that is never closed (a truncated answer) still makes a block of what follows it.
 */
import type { Language } from "./types.js";

const TAGS: Record<Language, readonly string[]> = {
  python: ["python", "py", "python3", "py3", "pycon"],
  js: ["js", "javascript", "node", "nodejs", "jsx", "mjs", "cjs"],
  ts: ["ts", "typescript", "tsx"],
  c: ["c", "h"],
  cpp: ["cpp", "c++", "cc", "cxx", "hpp"],
  bash: ["bash", "sh", "shell", "zsh"],
};

/** The language of a fence's info-string tag (`py`, `javascript`, `cc`, ...), or undefined. */
export function languageOfTag(tag: string): Language | undefined {
  const t = tag.toLowerCase();
  return (Object.keys(TAGS) as Language[]).find((l) => TAGS[l].includes(t));
}

export interface Block {
  tag: string;
  code: string;
}

export interface Extracted {
  code: string;
  /** How the code was found: one block, all blocks of the language, or the whole text. */
  how: "block" | "blocks" | "text" | "none";
}

/** Fenced blocks (``` or ~~~, three or more), with their info-string tag lower-cased. */
export function fencedBlocks(text: string): Block[] {
  const out: Block[] = [];
  const lines = text.split("\n");
  let open: { fence: string; tag: string; body: string[] } | null = null;
  for (const raw of lines) {
    const line = raw.replace(/\r$/, "");
    if (!open) {
      const m = /^\s{0,3}(`{3,}|~{3,})\s*([^\s`]*)/.exec(line);
      if (m)
        open = {
          fence: m[1]!,
          tag: m[2]!
            .toLowerCase()
            .replace(/^\{?\.?/, "")
            .replace(/\}$/, ""),
          body: [],
        };
      continue;
    }
    const close = /^\s{0,3}(`{3,}|~{3,})\s*$/.exec(line);
    if (close && close[1]![0] === open.fence[0] && close[1]!.length >= open.fence.length) {
      out.push({ tag: open.tag, code: open.body.join("\n") });
      open = null;
    } else {
      open.body.push(line);
    }
  }
  // A truncated answer may open a fence and never close it: its body still counts as a block.
  if (open) out.push({ tag: open.tag, code: open.body.join("\n") });
  return out;
}

/** A pattern that finds a top-level definition of `name` in code of the language. */
export function definesPattern(language: Language, name: string): RegExp {
  const n = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  switch (language) {
    case "python":
      return new RegExp(`^(?:async\\s+)?def\\s+${n}\\s*\\(|^${n}\\s*=|^class\\s+${n}\\b`, "m");
    case "js":
    case "ts":
      return new RegExp(
        `^\\s*(?:export\\s+)?(?:async\\s+)?function\\s*\\*?\\s*${n}\\s*[(<]|^\\s*(?:export\\s+)?(?:const|let|var)\\s+${n}\\b|^\\s*(?:export\\s+)?class\\s+${n}\\b`,
        "m",
      );
    case "c":
    case "cpp":
      return new RegExp(`\\b${n}\\s*\\([^;{]*\\)\\s*(?:const\\s*)?\\{`, "m");
    case "bash":
      return new RegExp(`^\\s*(?:function\\s+)?${n}\\s*(?:\\(\\s*\\))?\\s*\\{`, "m");
  }
}

function pick(blocks: Block[], language: Language, entry: string | undefined): Extracted | null {
  const withCode = blocks.filter((b) => b.code.trim() !== "");
  if (withCode.length === 0) return null;
  if (entry) {
    const re = definesPattern(language, entry);
    for (let i = withCode.length - 1; i >= 0; i--) {
      if (re.test(withCode[i]!.code)) return { code: withCode[i]!.code, how: "block" };
    }
  }
  if (withCode.length === 1) return { code: withCode[0]!.code, how: "block" };
  return { code: withCode.map((b) => b.code).join("\n\n"), how: "blocks" };
}

export function extractCode(text: string, language: Language, entry?: string): Extracted {
  const blocks = fencedBlocks(text);
  const tags = TAGS[language];
  const tagged = pick(
    blocks.filter((b) => tags.includes(b.tag)),
    language,
    entry,
  );
  if (tagged) return tagged;
  const untagged = pick(
    blocks.filter((b) => b.tag === ""),
    language,
    entry,
  );
  if (untagged) return untagged;
  // Fenced blocks, but none in this language: the answer holds no code to run.
  if (blocks.some((b) => b.code.trim() !== "")) return { code: "", how: "none" };
  return { code: text, how: "text" };
}

export function languageTags(language: Language): readonly string[] {
  return TAGS[language];
}
