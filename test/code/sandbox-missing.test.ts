/** Without a working bwrap: `sandbox: "bwrap"` is a sandbox_error, `auto` falls back to rlimits-only. */
import { describe, expect, it } from "vitest";
import { codeSpec } from "./helpers.js";

process.env.REWARDKIT_BWRAP = "/nonexistent/bwrap";

describe("process runtime without bubblewrap", () => {
  const sample = {
    completion: "```python\nprint(input())\n```",
    reference: { format: "stdio", cases: [{ input: "hi", output: "hi" }] },
  };

  it("reports sandbox_error, never 0, when bwrap is required", async () => {
    const r = await codeSpec({ runtime: { python: "process" }, sandbox: "bwrap" }).score(sample);
    expect(r.status).toBe("error");
    expect(r.error?.kind).toBe("sandbox_error");
    expect(r.reward).toBeNull();
  });

  it("falls back to rlimits-only isolation and says so", async () => {
    const r = await codeSpec({ runtime: { python: "process" } }).score(sample);
    expect(r.reward).toBe(1);
    expect(r.details?.isolation).toBe("rlimits-only");
  });
});
