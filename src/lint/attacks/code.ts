/**
 * Attacks on programs (specs with a `code` verifier): an early exit that skips the tests, and a program
 * that prints the first expected output of stdin/stdout tests (the other tests' outputs differ, so it
 * must fail).
 */
import type { Sample } from "../../core/index.js";
import { languageOfTag } from "../../verifiers/code/extract.js";
import { languageNamed } from "../../verifiers/code/reference.js";
import type { Language } from "../../verifiers/code/types.js";
import { textOf, withText } from "../sample-text.js";
import { removal } from "./common.js";

type Lang = Language;

/** The reference as an object (a JSON string is parsed), or null. */
export function referenceObject(s: Sample): Record<string, unknown> | null {
  let r = s.reference;
  if (typeof r === "string") {
    try {
      r = JSON.parse(r);
    } catch {
      return null;
    }
  }
  return r && typeof r === "object" && !Array.isArray(r) ? (r as Record<string, unknown>) : null;
}

/** The program's code block: the last fenced block (of the sample's language when tagged), or the whole text. */
export function codeBlock(text: string, lang: Lang): { start: number; end: number; lang: Lang } | null {
  const blocks = [...text.matchAll(/```[ \t]*([\w+#-]*)[^\n]*\n([\s\S]*?)(?:```|$)/g)];
  if (!blocks.length) return text.trim() ? { start: 0, end: text.length, lang } : null;
  const tagged = blocks.filter((b) => languageOfTag(b[1]!) === lang);
  const b = (tagged.length ? tagged : blocks)[(tagged.length ? tagged : blocks).length - 1]!;
  const start = b.index! + b[0].indexOf("\n") + 1;
  return { start, end: start + b[2]!.length, lang: languageOfTag(b[1]!) ?? lang };
}

function languageOf(s: Sample, text: string): Lang {
  const ref = referenceObject(s);
  const declared = typeof ref?.language === "string" ? languageNamed(ref.language) : undefined;
  if (declared) return declared;
  const fence = /```[ \t]*([\w+#-]+)/.exec(text);
  return (fence && languageOfTag(fence[1]!)) || "python";
}

function stdioOutputs(s: Sample): string[] | null {
  const ref = referenceObject(s);
  if (ref?.format !== "stdio") return null;
  const cases = (ref.cases ?? ref.tests) as unknown;
  if (!Array.isArray(cases)) return null;
  const out = cases.map((c) => {
    const o = (c as Record<string, unknown>)?.output;
    if (typeof o === "string") return o;
    if (typeof o === "number") return String(o);
    if (Array.isArray(o)) return `${o.join("\n")}\n`;
    if (o && typeof o === "object" && typeof (o as Record<string, unknown>).stdout === "string")
      return (o as Record<string, string>).stdout;
    return null;
  });
  return out.every((x) => x !== null) ? (out as string[]) : null;
}

const EXITS: Record<Lang, string[]> = {
  python: ["import sys\nsys.exit(0)", "exit(0)", "quit()", "import os\nos._exit(0)", "raise SystemExit(0)"],
  js: ["process.exit(0);", "process.exitCode = 0; process.exit();"],
  ts: ["process.exit(0);"],
  c: ["exit(0);"],
  cpp: ["exit(0);"],
  bash: ["exit 0"],
};

interface ExitP {
  stmt: number;
  atEnd: boolean;
}

export const earlyExit = removal<ExitP>({
  name: "early_exit",
  description:
    "An exit with status 0 (sys.exit, exit(0), os._exit, process.exit, ...) added at the start of the program, or at its end when the tests run after it.",
  applies: (ctx) => (ctx.laws.runsCode ? true : "the spec runs no program"),
  params: (fc) => fc.record({ stmt: fc.nat({ max: 4 }), atEnd: fc.boolean() }),
  make(ctx, seed, p) {
    const s = ctx.samples[seed]!;
    const text = textOf(s);
    const lang = languageOf(s, text);
    const block = codeBlock(text, lang);
    if (!block) return null;
    const outs = stdioOutputs(s);
    // A stdin/stdout program that exits after doing its work is not cheating; nor is exiting when every
    // expected output is empty.
    if (outs && (p.atEnd || outs.every((o) => o.trim() === ""))) return null;
    const stmts = EXITS[block.lang];
    const stmt = stmts[p.stmt % stmts.length]!;
    const code = text.slice(block.start, block.end);
    let hacked: string;
    if (block.lang === "c" || block.lang === "cpp") {
      const main = /\bmain\s*\([^)]*\)\s*\{/.exec(code);
      if (!main) return null;
      const at = p.atEnd ? code.lastIndexOf("}") : main.index + main[0].length;
      if (at < 0) return null;
      hacked = `#include <stdlib.h>\n${code.slice(0, at)}\n${stmt}\n${code.slice(at)}`;
    } else {
      hacked = p.atEnd ? `${code.replace(/\s*$/, "")}\n${stmt}\n` : `${stmt}\n${code}`;
    }
    const out = text.slice(0, block.start) + hacked + text.slice(block.end);
    return {
      sample: withText(s, out),
      change: `'${stmt.replace(/\n/g, "; ")}' added at the ${p.atEnd ? "end" : "start"} of the program`,
    };
  },
});

function printer(lang: Lang, out: string): string {
  const lit = JSON.stringify(out);
  switch (lang) {
    case "python":
      return `import sys\nsys.stdout.write(${lit})\n`;
    case "js":
    case "ts":
      return `process.stdout.write(${lit});\n`;
    case "c":
      return `#include <stdio.h>\nint main(void) { fputs(${lit}, stdout); return 0; }\n`;
    case "cpp":
      return `#include <cstdio>\nint main() { std::fputs(${lit}, stdout); return 0; }\n`;
    case "bash":
      return `printf '%s' '${out.replace(/'/g, "'\\''")}'\n`;
  }
}

export const hardcodedOutput = removal<number>({
  name: "hardcoded_output",
  description:
    "On stdin/stdout tests, the program replaced by one that prints the expected output of one test (others expect different output, so it must fail).",
  applies: (ctx) => (ctx.laws.runsCode ? true : "the spec runs no program"),
  seeds: (ctx) =>
    ctx.high.filter((i) => {
      const outs = stdioOutputs(ctx.samples[i]!);
      return outs !== null && new Set(outs.map((o) => o.trim())).size > 1;
    }),
  noSeeds: "no high-scoring seed sample with stdin/stdout tests whose outputs differ",
  params: (fc) => fc.nat({ max: 20 }),
  make(ctx, seed, k) {
    const s = ctx.samples[seed]!;
    const outs = stdioOutputs(s)!;
    const which = k % outs.length;
    const text = textOf(s);
    const lang = languageOf(s, text);
    const block = codeBlock(text, lang);
    if (!block) return null;
    const hacked = text.slice(0, block.start) + printer(block.lang, outs[which]!) + text.slice(block.end);
    return {
      sample: withText(s, hacked),
      change: `program replaced by a print of test ${which}'s expected output ${JSON.stringify(outs[which]!.slice(0, 80))}`,
    };
  },
});
