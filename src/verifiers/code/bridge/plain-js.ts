/**
 * The JavaScript side of the judge/candidate boundary (see plain-py.ts for the Python one). The judge
 * holds the tests; candidate functions are proxies whose arguments and results cross as JSON text in
 * this encoding, decoded by the receiving realm's own copy of these functions, so every object the
 * judge compares was made in its own realm and has no behaviour.
 *
 * Encoding: null, booleans, finite numbers, strings and arrays as themselves; every other value is a
 * one-key object: {"o": {k: v}} plain object, {"u": 1} undefined, {"n": "NaN"|"Infinity"|"-Infinity"|
 * "-0"}, {"b": "digits"} bigint, {"m": [[k, v], ...]} Map, {"s": [...]} Set, {"d": ms} Date.
 * Functions, symbols, promises, proxies and cycles do not cross.
 */

/** An expression that evaluates to {enc, dec} in the realm it runs in. */
export const JS_PLAIN = `(function () {
  "use strict";
  const isArray = Array.isArray, objIs = Object.is, keys = Object.keys, getProto = Object.getPrototypeOf;
  const MapC = Map, SetC = Set, DateC = Date, ObjectProto = Object.prototype, stringify = JSON.stringify, parse = JSON.parse;
  function notPlain(what) { const e = new TypeError(what + " is not plain data (only null, booleans, numbers, bigints, strings, arrays, plain objects, Map, Set and Date cross to the tests)"); e.name = "TypeError"; throw e; }
  function enc(v, depth, seen) {
    if (depth > 200) notPlain("a value nested more than 200 levels deep");
    if (v === null || typeof v === "boolean" || typeof v === "string") return v;
    if (typeof v === "number") {
      if (v !== v) return { n: "NaN" };
      if (v === Infinity) return { n: "Infinity" };
      if (v === -Infinity) return { n: "-Infinity" };
      if (objIs(v, -0)) return { n: "-0" };
      return v;
    }
    if (v === undefined) return { u: 1 };
    if (typeof v === "bigint") return { b: String(v) };
    if (typeof v !== "object") notPlain("a " + typeof v);
    if (seen.indexOf(v) >= 0) notPlain("a cyclic value");
    seen.push(v);
    try {
      if (isArray(v)) { const out = []; for (let i = 0; i < v.length; i++) out.push(enc(v[i], depth + 1, seen)); return out; }
      if (v instanceof MapC) { const out = []; for (const [k, x] of v) out.push([enc(k, depth + 1, seen), enc(x, depth + 1, seen)]); return { m: out }; }
      if (v instanceof SetC) { const out = []; for (const x of v) out.push(enc(x, depth + 1, seen)); return { s: out }; }
      if (v instanceof DateC) return { d: v.getTime() };
      if (typeof v.then === "function") notPlain("a Promise (async results)");
      const o = {};
      for (const k of keys(v)) o[k] = enc(v[k], depth + 1, seen);
      return { o };
    } finally { seen.pop(); }
  }
  function dec(x) {
    if (x === null || typeof x === "boolean" || typeof x === "string" || typeof x === "number") return x;
    if (isArray(x)) return x.map(dec);
    const k = keys(x);
    if (k.length !== 1) throw new TypeError("not an encoded plain value");
    const v = x[k[0]];
    switch (k[0]) {
      case "o": { const o = {}; for (const key of keys(v)) { if (key === "__proto__") continue; o[key] = dec(v[key]); } return o; }
      case "u": return undefined;
      case "n": return v === "-0" ? -0 : Number(v);
      case "b": return BigInt(v);
      case "m": return new MapC(v.map((p) => [dec(p[0]), dec(p[1])]));
      case "s": return new SetC(v.map(dec));
      case "d": return new DateC(v);
    }
    throw new TypeError("not an encoded plain value");
  }
  return { enc: (v) => stringify(enc(v, 0, [])), dec: (s) => dec(parse(s)), decParsed: dec };
})()`;

/**
 * Defined in the candidate's context: calls `fn` with decoded arguments and answers with JSON text:
 * {"value": enc, "mutated"?: enc (the arguments after the call)} | {"raise": {type, message}} | {"exit": code}. Runs next to the candidate: it is not
 * trusted, it only carries answers for the judge to check.
 */
export const JS_CANDIDATE_CALL = `(function (plain, define, errExit) {
  const stringify = JSON.stringify, pending = new Map();
  let next = 1;
  function raised(e) {
    const code = errExit(e);
    if (code !== null) return stringify({ exit: code });
    let type = "Error", message = "";
    try { type = e && typeof e === "object" && typeof e.name === "string" ? e.name : typeof e; message = e && typeof e === "object" ? String(e.message) : String(e); } catch (x) { message = "<unprintable>"; }
    // Memory that could not be had ends the run as a memory verdict, as an isolate's limit does.
    if (/allocation failed|out of memory/i.test(message)) return stringify({ abort: "memory", message: message.slice(0, 200) });
    return stringify({ raise: { type, message: message.slice(0, 2000) } });
  }
  // Arguments the function changed in place go back with its value (as plain data, like the value),
  // for the judge to write into the test's own objects: a test may check the list it passed.
  function answer(v, sent, args) {
    let text;
    try { text = '{"value":' + plain.enc(v); } catch (e) { return raised(e); }
    try { const after = plain.enc(args); if (after !== sent) text += ',"mutated":' + after; } catch (e) {}
    return text + "}";
  }
  // The judge's table of the candidate's functions, by index: calls pass only a number and a string
  // (a reference per call piled up inside isolated-vm until its thread overflowed its stack).
  let table = [];
  define("__rk_register", function (fns) {
    table = fns;
    return fns.map((f) => (typeof f === "function" ? "1" : "0")).join("");
  });
  define("__rk_call", function (i, args) {
    try {
      const fn = table[i];
      if (typeof fn !== "function") throw new TypeError("not a function");
      const decoded = plain.dec(args);
      const v = fn.apply(undefined, decoded);
      if (v !== null && typeof v === "object" && typeof v.then === "function") {
        // An async result: the judge awaits it with __rk_settle.
        const id = next++;
        pending.set(id, { v, args, decoded });
        return stringify({ promise: id });
      }
      return answer(v, args, decoded);
    } catch (e) {
      return raised(e);
    }
  });
  define("__rk_settle", function (id) {
    const p = pending.get(id);
    pending.delete(id);
    if (!p) return Promise.resolve(raised(new TypeError("no such pending call")));
    return Promise.resolve(p.v).then((v) => answer(v, p.args, p.decoded), raised);
  });
})`;

/**
 * The process runtime's JavaScript candidate (node in the sandbox): loads the program as a script of its
 * own, then answers the judge's requests on file descriptor 3 (one JSON line each: {id, text}); the
 * program's output goes to its own stdout and stderr. A fresh process per sample. Requests: load,
 * eval (the judge's lookup of the program's functions), call, settle, pass.
 */
export const JS_PROCESS_SERVER = `"use strict";
const fs = require("node:fs");
const net = require("node:net");
const vm = require("node:vm");
const define = (name, value) => Object.defineProperty(globalThis, name, { value, writable: false, configurable: false, enumerable: false });
(${JS_CANDIDATE_CALL})(${JS_PLAIN}, define, () => null);
const call = globalThis.__rk_call, settle = globalThis.__rk_settle, stringify = JSON.stringify, parse = JSON.parse;
globalThis.require = require;
globalThis.module = module;
globalThis.exports = module.exports;
const sock = new net.Socket({ fd: 3, readable: true, writable: true });
const write = (id, text) => fs.writeSync(3, stringify({ id, text }) + "\\n");
function info(e) {
  let type = "Error", message = "";
  try { type = e && typeof e === "object" && typeof e.name === "string" ? e.name : typeof e; message = e && typeof e === "object" ? String(e.message) : String(e); } catch (x) { message = "<unprintable>"; }
  return { type, message: message.slice(0, 2000) };
}
let buf = "";
sock.setEncoding("utf8");
sock.on("data", async (d) => {
  buf += d;
  let nl;
  while ((nl = buf.indexOf("\\n")) >= 0) {
    const req = parse(buf.slice(0, nl));
    buf = buf.slice(nl + 1);
    let text;
    if (req.op === "load") {
      try {
        vm.runInThisContext(req.code, { filename: "solution.js" });
        text = stringify({ status: "pass", names: [] });
      } catch (e) {
        const i = info(e);
        text = stringify({ status: e instanceof SyntaxError && String(e.stack || "").includes("solution.js") ? "compile" : "error", type: i.type, message: i.message });
      }
    } else if (req.op === "eval") {
      try { text = String(vm.runInThisContext(req.code)); } catch (e) { text = ""; }
    } else if (req.op === "call") {
      text = call(req.name, req.payload);
    } else if (req.op === "settle") {
      text = await settle(req.name);
    } else {
      text = '{"status":"pass"}';
    }
    write(req.id, text);
  }
});
`;
