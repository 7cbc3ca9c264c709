/**
 * Laws of dense rewards, shaping and group statistics (fast-check).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  advantages,
  cosineLength,
  loadReward,
  normalizedEquivalence,
  overlongPenalty,
  passAtK,
  projectSpans,
  repetitionPenalty,
  segment,
  vote,
} from "../../src/index.js";

const RUNS = Number(process.env.FC_RUNS ?? 200);
const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));

/** A text with a tokenization of it (contiguous offsets covering every character). */
const tokenized = fc
  .array(fc.string({ minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 40 })
  .map((pieces) => {
    const offsets: [number, number][] = [];
    let pos = 0;
    for (const p of pieces) {
      offsets.push([pos, pos + p.length]);
      pos += p.length;
    }
    return { text: pieces.join(""), offsets };
  });

const withSpans = tokenized.chain(({ text, offsets }) =>
  fc
    .array(
      fc
        .tuple(fc.nat(text.length - 1), fc.nat(text.length), fc.double({ min: -5, max: 5, noNaN: true }))
        .map(([a, b, value]) => {
          const start = Math.min(a, b);
          return { start, end: Math.max(start + 1, Math.max(a, b)), value, source: "p" };
        }),
      { maxLength: 10 },
    )
    .map((spans) => ({ text, offsets, spans })),
);

describe("projection", () => {
  it("preserves the sum of span rewards under both placements", () => {
    fc.assert(
      fc.property(
        withSpans,
        fc.constantFrom("span_end", "uniform") as fc.Arbitrary<"span_end" | "uniform">,
        ({ offsets, spans }, placement) => {
          const t = projectSpans(spans, offsets, placement);
          expect(t).toHaveLength(offsets.length);
          const total = spans.reduce((a, s) => a + s.value, 0);
          expect(
            close(
              t.reduce((a, b) => a + b, 0),
              total,
            ),
          ).toBe(true);
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe("segmenters and per_segment spans", () => {
  const textArb = fc
    .array(
      fc.oneof(
        fc.constantFrom(
          "Step 1: ",
          "\n\n",
          "\n",
          ". ",
          "! ",
          "1. ",
          "```py\nx\n```",
          "3.14",
          "Dr. ",
          "中文。",
        ),
        fc.string({ maxLength: 8 }),
      ),
      {
        maxLength: 25,
      },
    )
    .map((xs) => xs.join(""));

  it("segments point at the text, in order, never overlapping, never blank", () => {
    fc.assert(
      fc.property(
        textArb,
        fc.constantFrom(
          "sentences",
          "lines",
          "paragraphs",
          "steps",
          "code_blocks",
          "tool_calls",
        ) as fc.Arbitrary<"steps">,
        (text, kind) => {
          let prev = 0;
          for (const s of segment(text, kind)) {
            expect(s.start).toBeGreaterThanOrEqual(prev);
            expect(s.end).toBeLessThanOrEqual(text.length);
            expect(text.slice(s.start, s.end)).toBe(s.text);
            expect(s.text.trim()).not.toBe("");
            prev = s.end;
          }
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("spans of a scored completion never fall outside it", async () => {
    const reward = loadReward({
      type: "per_segment",
      segmenter: "sentences",
      term: { type: "regex", pattern: "\\d" },
    });
    await fc.assert(
      fc.asyncProperty(textArb, async (completion) => {
        const r = await reward.score({ completion });
        for (const s of r.spans ?? []) {
          expect(s.start).toBeGreaterThanOrEqual(0);
          expect(s.end).toBeLessThanOrEqual(completion.length);
          expect(s.start).toBeLessThan(s.end);
        }
      }),
      { numRuns: RUNS },
    );
  });
});

describe("group statistics", () => {
  const rewards = fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: 1, maxLength: 32 });
  const modes = fc.constantFrom("grpo", "dr_grpo", "rloo") as fc.Arbitrary<"grpo" | "dr_grpo" | "rloo">;

  it("advantages have mean 0 and do not change when a constant is added to every reward", () => {
    fc.assert(
      fc.property(rewards, modes, fc.double({ min: -100, max: 100, noNaN: true }), (rs, mode, c) => {
        const o = { mode, stdFloor: 1e-6, std: "sample" as const };
        const a = advantages(rs, o).adv;
        const b = advantages(
          rs.map((r) => r + c),
          o,
        ).adv;
        const mean = a.reduce((x, y) => x + y, 0) / a.length;
        expect(Math.abs(mean)).toBeLessThan(1e-6);
        a.forEach((x, i) => {
          expect(Math.abs(x - b[i]!)).toBeLessThan(1e-6 * Math.max(1, Math.abs(x)));
        });
      }),
      { numRuns: RUNS },
    );
  });

  it("pass@k is monotone in k and in the number correct", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 64 }), fc.nat(64), (n, c0) => {
        const c = Math.min(c0, n);
        let prev = -1;
        for (let k = 1; k <= n; k++) {
          const p = passAtK(n, c, k)!;
          expect(p).toBeGreaterThanOrEqual(prev - 1e-12);
          expect(p).toBeGreaterThanOrEqual(0);
          expect(p).toBeLessThanOrEqual(1 + 1e-12);
          if (c < n) expect(passAtK(n, c + 1, k)!).toBeGreaterThanOrEqual(p - 1e-12);
          prev = p;
        }
      }),
      { numRuns: RUNS },
    );
  });

  it("majority vote does not depend on the order of the group", async () => {
    const answers = fc.array(
      fc.option(fc.constantFrom("1/2", "0.5", "Paris", "paris", "PARIS.", "x", "y"), { nil: null }),
      { maxLength: 12 },
    );
    await fc.assert(
      fc.asyncProperty(
        answers.chain((a) =>
          fc.tuple(
            fc.constant(a),
            fc.shuffledSubarray(
              a.map((_, i) => i),
              { minLength: a.length },
            ),
          ),
        ),
        async ([a, perm]) => {
          const v1 = await vote(a, normalizedEquivalence);
          const v2 = await vote(
            perm.map((i) => a[i]!),
            normalizedEquivalence,
          );
          const maj = (v: typeof v1) => (v.majority === null ? null : v.classes[v.majority]!);
          expect(maj(v2)).toEqual(maj(v1));
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe("shaping is monotone as documented", () => {
  const len = fc.integer({ min: 0, max: 5000 });

  it("overlong never rises with length", () => {
    fc.assert(
      fc.property(
        len,
        len,
        fc.integer({ min: 1, max: 4000 }),
        fc.integer({ min: 1, max: 1000 }),
        (a, b, max, buf) => {
          const buffer = Math.min(buf, max);
          const [s, l] = a <= b ? [a, b] : [b, a];
          expect(overlongPenalty(l, max, buffer)).toBeLessThanOrEqual(
            overlongPenalty(s, max, buffer) + 1e-12,
          );
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("cosine: correct answers never gain, wrong answers never lose, by being longer; correct always beats wrong", () => {
    const v = { correct: [0.5, 1] as [number, number], wrong: [-1, -0.5] as [number, number] };
    fc.assert(
      fc.property(len, len, fc.integer({ min: 1, max: 5000 }), (a, b, max) => {
        const [s, l] = a <= b ? [a, b] : [b, a];
        expect(cosineLength(l, max, true, v)).toBeLessThanOrEqual(cosineLength(s, max, true, v) + 1e-12);
        expect(cosineLength(l, max, false, v)).toBeGreaterThanOrEqual(cosineLength(s, max, false, v) - 1e-12);
        expect(cosineLength(l, max, true, v)).toBeGreaterThan(cosineLength(s, max, false, v));
      }),
      { numRuns: RUNS },
    );
  });

  it("repetition: repeating a text never raises its reward", () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom("a", "b", "c", "d", "e"), { minLength: 3, maxLength: 30 }),
        fc.integer({ min: 2, max: 4 }),
        (words, times) => {
          const t = words.join(" ");
          const repeated = Array(times).fill(t).join(" ");
          expect(repetitionPenalty(repeated, 3, -1)).toBeLessThanOrEqual(repetitionPenalty(t, 3, -1) + 1e-12);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("length_budget: moving away from the budget never raises the reward", async () => {
    const reward = loadReward({ type: "length_budget", budget: "{{budget}}", unit: "words", alpha: 0.01 });
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 200 }), fc.nat(100), fc.nat(100), async (budget, d1, d2) => {
        const [near, far] = d1 <= d2 ? [d1, d2] : [d2, d1];
        const words = (n: number) => "w ".repeat(Math.max(0, n));
        const rn = (await reward.score({ completion: words(budget + near), budget })).reward!;
        const rf = (await reward.score({ completion: words(budget + far), budget })).reward!;
        expect(rf).toBeLessThanOrEqual(rn + 1e-12);
      }),
      { numRuns: Math.ceil(RUNS / 2) },
    );
  });
});
