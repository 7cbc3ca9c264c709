/**
 * The JavaScript harness of the process runtime (plain `node` inside the sandbox): the same protocol as
 * the Python one (harness-py.ts): reports on fd 3, each with the per-run marker taken from the
 * environment before model code runs, the end report only after the last test.
 */

export const JS_PROCESS_MAIN = String.raw`
"use strict";
const fs = require("node:fs");
const vm = require("node:vm");
const marker = process.env.RK_MARKER || "";
delete process.env.RK_MARKER;
const plan = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
process.argv.splice(2);
const writeSync = fs.writeSync;
const stringify = JSON.stringify;
const now = () => performance.now();
// A bigint is written as its exact digits: JSON.rawJSON where node has it (22+), else a string tagged with
// the secret marker, turned into digits after stringify (model code cannot forge the tag).
const rawJSON = JSON.rawJSON;
const bigTag = new RegExp('"' + marker + 'n(-?[0-9]+)"', "g");
const bigJson = (x) => (rawJSON ? rawJSON(String(x)) : marker ? marker + "n" + String(x) : Number(x));
const bigDigits = (s) => (rawJSON || s === undefined ? s : s.replace(bigTag, "$1"));
function emit(d) { d.m = marker; writeSync(3, stringify(d) + "\n"); }
function info(e, status) {
  let type = "Error", message = "";
  try {
    type = e && typeof e === "object" && typeof e.name === "string" ? e.name : typeof e;
    message = e && typeof e === "object" ? String(e.message) : String(e);
  } catch (x) { message = "<unprintable>"; }
  if (type === "AssertionError" || (e && e.code === "ERR_ASSERTION")) status = "fail";
  if (/heap out of memory|Array buffer allocation failed|Unable to grow instance memory|could not allocate memory/i.test(message)) status = "memory";
  return { status, type, message: message.slice(0, 2000) };
}
globalThis.require = require;
globalThis.module = module;
globalThis.exports = module.exports;
(async () => {
  let t0 = now();
  let r;
  try {
    vm.runInThisContext(plan.setup, { filename: "solution.js" });
    r = { status: "pass" };
  } catch (e) {
    r = e instanceof SyntaxError && String(e.stack || "").includes("solution.js") ? { status: "compile", type: "SyntaxError", message: String(e.message) } : info(e, "error");
  }
  r.index = -1; r.ms = now() - t0;
  emit(r);
  if (r.status !== "pass") return;
  for (let i = plan.start; i < plan.tests.length; i++) {
    const t = plan.tests[i];
    emit({ begin: i });
    t0 = now();
    try {
      if (t.code !== undefined) {
        const f = vm.runInThisContext("(async function () {\n" + t.code + "\n})", { filename: "test.js" });
        await f();
        r = { status: "pass" };
      } else {
        const f = vm.runInThisContext("(" + t.call + ")", { filename: "test.js" });
        const v = await f(...t.args);
        let s;
        try { s = bigDigits(stringify(v === undefined ? null : v, (k, x) => (typeof x === "bigint" ? bigJson(x) : x instanceof Set ? [...x] : x instanceof Map ? Object.fromEntries(x) : x))); }
        catch (e) { s = undefined; }
        r = s === undefined && v !== undefined ? { status: "fail", type: "TypeError", message: "the result is not JSON-serializable" } : { status: "pass", value: s === undefined ? "null" : s };
      }
    } catch (e) {
      r = info(e, "error");
    }
    r.index = i; r.ms = now() - t0;
    emit(r);
    if (r.status !== "pass" && plan.stopOnFail) break;
  }
  emit({ end: true });
})();
`;
