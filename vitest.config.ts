import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Forks, not threads: native sandboxes (isolated-vm) and our own worker pools want a real process.
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
