// The library loads lint, the server and the in-process math check at their first use with require() (src/lazy.ts), which cannot
// load TypeScript sources: tests that import src/index.ts get them handed over here instead.
import { provideModule } from "../src/lazy.js";

provideModule("./lint/index.js", await import("../src/lint/index.js"));
provideModule("./server/index.js", await import("../src/server/index.js"));
provideModule("./verifiers/math/check.js", await import("../src/verifiers/math/check.js"));
