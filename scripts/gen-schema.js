// Writes schema/spec.schema.json from the node types of the built-in registry, and the TypeScript types of
// the spec language (src/spec/spec-types.gen.ts) from that same document, so the two cannot drift (run
// after a build: `npm run schema`; test/unit/spec-types.test.ts fails when either file is stale).
import { writeFileSync } from "node:fs";
import { defaultRegistry, specDocumentSchema } from "../dist/index.js";
import { specTypesSource } from "./spec-types.js";

const schema = specDocumentSchema(defaultRegistry);
const out = new URL("../schema/spec.schema.json", import.meta.url);
writeFileSync(out, `${JSON.stringify(schema, null, 2)}\n`);
console.log(`wrote ${out.pathname}`);

const types = new URL("../src/spec/spec-types.gen.ts", import.meta.url);
writeFileSync(types, await specTypesSource(schema));
console.log(`wrote ${types.pathname}`);
