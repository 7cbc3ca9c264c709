/**
 * Hostile inputs through the real verifier and worker pool: each must come back with a verdict or an
 * error (invalid_input), never a timeout, never an internal error, never a silent 0 for a timeout.
 */
import { afterAll, describe, expect, it } from "vitest";
import { closeSharedPool, loadReward, type Result } from "../../src/index.js";
import { checkMath } from "../../src/verifiers/math/index.js";

afterAll(async () => {
  await closeSharedPool();
});

const math = loadReward({ type: "math" });

async function run(completion: string, reference: string): Promise<Result> {
  return math.score({ completion, reference });
}

function verdictOrError(r: Result): void {
  expect(["ok", "abstain", "error"]).toContain(r.status);
  if (r.status === "error") expect(r.error?.kind).toBe("invalid_input");
}

describe("hostile inputs", () => {
  const nested = `${"(".repeat(10_000)}1${")".repeat(10_000)}`;

  it("10,000 nested parentheses: invalid_input, as prediction or as gold", async () => {
    for (const [c, g] of [
      [nested, "1"],
      [`\\boxed{${nested}}`, "1"],
      ["1", nested],
    ] as const) {
      const r = await run(c, g);
      expect(r.status).toBe("error");
      expect(r.error?.kind).toBe("invalid_input");
    }
  });

  it("deep nesting under the size limit is refused by the depth limit", async () => {
    const r = await run(`${"(".repeat(2000)}1${")".repeat(2000)}`, "1");
    expect(r.status).toBe("error");
    expect(r.error?.kind).toBe("invalid_input");
    expect(r.error?.message).toMatch(/nested deeper/);
  });

  it("10^{10^{10^{10}}}: a verdict, not a hang", async () => {
    const r = await run("\\boxed{10^{10^{10^{10}}}}", "5");
    verdictOrError(r);
    expect(r.status).toBe("ok");
    expect(r.reward).toBe(0);
    expect((await run("\\boxed{10^{10^{10^{10}}}}", "10^{10^{10^{10}}}")).reward).toBe(1);
  });

  it("100000!: a verdict, not a hang", async () => {
    const r = await run("$100000!$", "5");
    expect(r.status).toBe("ok");
    expect(r.reward).toBe(0);
    expect((await run("$100000!$", "100000!")).reward).toBe(1);
    verdictOrError(await run("$100000!$", "99999!"));
  });

  it("x^{10^9}: a verdict or abstain, never 1 for a different expression", async () => {
    const r = await run("\\boxed{x^{10^9}}", "x");
    verdictOrError(r);
    expect(r.reward).not.toBe(1);
    expect((await run("\\boxed{x^{10^9}}", "x^{10^9}")).reward).toBe(1);
  });

  it("huge literals and exact arithmetic past the limits stay bounded", async () => {
    verdictOrError(await run(`\\boxed{${"9".repeat(4000)}}`, "1"));
    verdictOrError(await run("\\boxed{2^{2^{30}}}", "2^{2^{30}}+1"));
    verdictOrError(await run("\\boxed{(10^{1000}+1)^{1000}}", "1"));
    verdictOrError(await run("\\boxed{\\binom{10^{9}}{5 \\cdot 10^8}}", "1"));
    verdictOrError(await run("\\boxed{\\sqrt[1000000]{2}}", "1"));
  });

  it("an oversized completion is refused with invalid_input", async () => {
    const r = await run(`${"a".repeat(1_500_000)} \\boxed{1}`, "1");
    expect(r.status).toBe("error");
    expect(r.error?.kind).toBe("invalid_input");
  });

  it("many boxes, dollar signs and braces are scanned linearly", async () => {
    verdictOrError(await run("\\boxed{1}".repeat(20_000), "1"));
    verdictOrError(await run("$".repeat(200_000), "1"));
    verdictOrError(await run("{".repeat(200_000), "1"));
    verdictOrError(await run("\\boxed{".repeat(50_000), "1"));
  });

  it("a timeout is an error, never a 0", async () => {
    // With a 1 ms deadline the check either finishes (and is right) or is killed: it never scores 0.
    const tight = loadReward({ type: "math", timeout_ms: 1 });
    for (let k = 0; k < 5; k++) {
      const r = await tight.score({ completion: "\\boxed{\\frac{1}{2}}", reference: "0.5" });
      if (r.status === "ok") expect(r.reward).toBe(1);
      else {
        expect(r.status).toBe("error");
        expect(r.error?.kind).toBe("timeout");
      }
    }
  });

  it("the in-process check is total on the same inputs", () => {
    for (const [c, g] of [
      [nested, "1"],
      ["10^{10^{10^{10}}}", "5"],
      ["100000!", "5"],
      ["x^{10^9}", "x"],
    ] as const) {
      const r = checkMath(c, g);
      expect(["equal", "not_equal", "unknown", "no_answer", "invalid_input"]).toContain(r.verdict);
    }
  });
});
