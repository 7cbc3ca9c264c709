import { describe, expect, it } from "vitest";
import { DEFAULT_STRIP_TOKENS, responseOf, stripTrailingTokens } from "../../src/index.js";

describe("OpenRLHF query handling", () => {
  const prompt = "<|im_start|>user\nq<|im_end|>\n<|im_start|>assistant\n";

  it("cuts the prompt off the query", () => {
    expect(responseOf(`${prompt}answer`, prompt)).toBe("answer");
    expect(responseOf("other text", prompt)).toBeNull();
  });

  it("ignores BOS and left padding decoded on one side only", () => {
    expect(responseOf(`<|begin_of_text|>${prompt}ans`, prompt)).toBe("ans");
    expect(responseOf(`<|endoftext|><|endoftext|><|endoftext|>${prompt}ans`, prompt)).toBe("ans");
    expect(responseOf(`${prompt}ans`, `<s>${prompt}`)).toBe("ans");
    expect(responseOf(`<pad><pad>${prompt}ans`, prompt)).toBe("ans");
    expect(responseOf("<pad><pad>ans", "")).toBe("ans");
    expect(responseOf("<|endoftext|>ans", "<|endoftext|>")).toBe("ans");
    expect(responseOf("ans", "")).toBe("ans");
  });

  it("strips trailing end-of-turn and padding tokens, and nothing else", () => {
    expect(stripTrailingTokens("<answer>4</answer><|im_end|>", DEFAULT_STRIP_TOKENS)).toBe(
      "<answer>4</answer>",
    );
    expect(stripTrailingTokens("x\n<|im_end|>\n<|endoftext|><|endoftext|>", DEFAULT_STRIP_TOKENS)).toBe("x");
    expect(stripTrailingTokens("no tokens here \n", DEFAULT_STRIP_TOKENS)).toBe("no tokens here \n");
    expect(stripTrailingTokens("keep <|im_end|> inside", DEFAULT_STRIP_TOKENS)).toBe(
      "keep <|im_end|> inside",
    );
  });
});
