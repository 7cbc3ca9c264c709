export * from "./composites.js";
export * from "./errors.js";
export * from "./group-schema.js";
export * from "./loader.js";
export * from "./node-schema.js";
export * from "./openai-graders.js";
export * from "./presets.js";
export * from "./reward.js";
