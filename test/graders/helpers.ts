/** Helpers of the OpenAI grader tests: fixtures, scoring a grader, reading the error flags of a result. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Result } from "../../src/core/index.js";
import { errorFlags } from "../../src/server/protocols/openai-graders.js";
import { loadReward } from "../../src/spec/index.js";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const FIXTURES = `${ROOT}fixtures/graders/`;

export function fixture<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(`${FIXTURES}${name}`, "utf8")) as T;
}

export function fixtureRows(name: string): Record<string, unknown>[] {
  return readFileSync(`${FIXTURES}${name}`, "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));
}

export function grade(grader: object, sample: Record<string, unknown>): Promise<Result> {
  return loadReward(grader).score(sample);
}

/** The OpenAI flags that are set (true) for a result. */
export function flagsOf(r: Result): string[] {
  return Object.entries(errorFlags(r))
    .filter(([, v]) => v === true)
    .map(([k]) => k)
    .sort();
}

export const OUT = "{{sample.output_text}}";
