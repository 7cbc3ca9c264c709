import { defineConfig } from "vitest/config";

// `npm run test:load`: the load and fault suite (test/load), one file at a time, as each starts real
// servers and measures latencies that other files running beside it would distort.
export default defineConfig({
  test: {
    include: ["test/load/**/*.load.ts"],
    pool: "forks",
    fileParallelism: false,
    testTimeout: 600_000,
    hookTimeout: 120_000,
  },
});
