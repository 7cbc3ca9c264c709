// Writes schema/spec.schema.json from the node types of the built-in registry (run after a build).
import { writeFileSync } from "node:fs";
import { defaultRegistry, specDocumentSchema } from "../dist/index.js";

const out = new URL("../schema/spec.schema.json", import.meta.url);
writeFileSync(out, `${JSON.stringify(specDocumentSchema(defaultRegistry), null, 2)}\n`);
console.log(`wrote ${out.pathname}`);
