export * from "./batcher.js";
export * from "./ensemble.js";
export * from "./http.js";
export * from "./normalize.js";
export * from "./pairs.js";
export * from "./protocols.js";
export * from "./verifier.js";
export * from "./wait.js";
