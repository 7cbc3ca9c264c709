export * from "./deadline.js";
export * from "./json-schema.js";
export * from "./pool.js";
export * from "./result.js";
export * from "./sample.js";
export * from "./segment.js";
export * from "./template.js";
export * from "./verifier.js";
