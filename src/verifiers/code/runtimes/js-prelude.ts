/**
 * The prelude evaluated in every fresh isolated-vm context: console and process.stdout/stderr writing
 * into a bounded in-isolate buffer, a `require` that knows only `assert` (a faithful shim of
 * node:assert), `fs.readFileSync(0)`, `readline`, `util` and `crypto.createHash` (hashed by the host on
 * copied strings), standard input for stdio programs, and the
 * protected helpers the host uses to run tests. Helpers are non-writable, non-configurable globals and
 * keep their own references to intrinsics, so model code can neither replace them nor fool them by
 * patching JSON or Object.
 */

import { JS_CANDIDATE_CALL, JS_PLAIN } from "../bridge/plain-js.js";

export const JS_PRELUDE = String.raw`
(function () {
  "use strict";
  const G = globalThis;
  const stringify = JSON.stringify;
  const rawJSON = JSON.rawJSON; // bigint results as exact digits
  const keys = Object.keys;
  const getProto = Object.getPrototypeOf;
  const toStr = Object.prototype.toString;
  const hasOwn = Object.prototype.hasOwnProperty;
  const isArray = Array.isArray;
  const isNaNn = Number.isNaN;
  const objIs = Object.is;
  const assign = Object.assign, create = Object.create;
  // The host's reports have no prototype: an Object.prototype.toJSON cannot rewrite them.
  const report = (o) => stringify(assign(create(null), o));
  const define = (name, value) => Object.defineProperty(G, name, { value, writable: false, configurable: false, enumerable: false });

  const cfg = G.__rk_cfg || {};
  delete G.__rk_cfg;
  let limit = typeof cfg.limit === "number" ? cfg.limit : 1e6, bytes = 0, over = false;
  const out = [], err = [];
  function write(which, s) {
    s = String(s);
    bytes += s.length;
    if (bytes > limit) { over = true; throw new RangeError("output limit exceeded"); }
    which.push(s);
  }

  function inspect(v, depth, seen) {
    depth = depth || 0;
    if (typeof v === "string") return depth ? "'" + v.replace(/'/g, "\\'") + "'" : v;
    if (typeof v === "bigint") return String(v) + "n";
    if (typeof v === "function") return "[Function: " + (v.name || "(anonymous)") + "]";
    if (typeof v === "symbol") return v.toString();
    if (v === null || typeof v !== "object") return objIs(v, -0) ? "-0" : String(v);
    seen = seen || [];
    if (seen.indexOf(v) >= 0) return "[Circular *1]";
    if (depth > 2) return isArray(v) ? "[Array]" : "[Object]";
    seen.push(v);
    try {
      if (v instanceof Error) return v.stack || String(v);
      if (isArray(v)) {
        if (v.length === 0) return "[]";
        const items = [];
        for (let i = 0; i < v.length; i++) items.push(i in v ? inspect(v[i], depth + 1, seen) : "<empty>");
        const one = "[ " + items.join(", ") + " ]";
        return one.length <= 72 ? one : "[\n" + items.map((x) => "  " + x).join(",\n") + "\n]";
      }
      if (v instanceof Map) return "Map(" + v.size + ") {" + (v.size ? " " + [...v].map(([a, b]) => inspect(a, depth + 1, seen) + " => " + inspect(b, depth + 1, seen)).join(", ") + " " : "") + "}";
      if (v instanceof Set) return "Set(" + v.size + ") {" + (v.size ? " " + [...v].map((a) => inspect(a, depth + 1, seen)).join(", ") + " " : "") + "}";
      if (v instanceof Date) return v.toISOString();
      if (v instanceof RegExp) return String(v);
      const ks = keys(v);
      if (ks.length === 0) return "{}";
      const parts = ks.map((k) => (/^[A-Za-z_$][\w$]*$/.test(k) ? k : "'" + k + "'") + ": " + inspect(v[k], depth + 1, seen));
      const one = "{ " + parts.join(", ") + " }";
      return one.length <= 72 ? one : "{\n" + parts.map((x) => "  " + x).join(",\n") + "\n}";
    } finally {
      seen.pop();
    }
  }
  function format(args) {
    if (typeof args[0] === "string" && /%[sdifjoO%]/.test(args[0])) {
      let i = 1;
      const s = args[0].replace(/%([sdifjoO%])/g, (m, c) => {
        if (c === "%") return "%";
        if (i >= args.length) return m;
        const a = args[i++];
        if (c === "s") return typeof a === "string" ? a : inspect(a, 1);
        if (c === "d" || c === "i") return String(c === "i" ? parseInt(a) : Number(a));
        if (c === "f") return String(parseFloat(a));
        if (c === "j") return stringify(a);
        return inspect(a, 1);
      });
      return [s].concat(args.slice(i).map((a) => inspect(a))).join(" ");
    }
    return args.map((a) => inspect(a)).join(" ");
  }
  const log = (...a) => write(out, format(a) + "\n");
  const elog = (...a) => write(err, format(a) + "\n");
  define("console", Object.freeze({ log, info: log, debug: log, trace: elog, warn: elog, error: elog, dir: (v) => log(v), table: (v) => log(v), assert: (c, ...a) => { if (!c) elog("Assertion failed" + (a.length ? ": " + format(a) : "")); } }));

  // --- node:assert ---
  class AssertionError extends Error {
    constructor(o) {
      super(o.message);
      this.name = "AssertionError";
      this.code = "ERR_ASSERTION";
      this.actual = o.actual;
      this.expected = o.expected;
      this.operator = o.operator;
      this.generatedMessage = !o.userMessage;
    }
  }
  function tagOf(v) { return toStr.call(v); }
  function deq(a, b, strict, memo) {
    if (a === b) return !strict || a !== 0 || objIs(a, b);
    if (typeof a !== "object" || a === null || typeof b !== "object" || b === null) {
      if (strict) return typeof a === "number" && typeof b === "number" && isNaNn(a) && isNaNn(b);
      if ((a !== null && typeof a === "object") || (b !== null && typeof b === "object")) return false;
      return a == b || (isNaNn(a) && isNaNn(b));
    }
    if (strict && getProto(a) !== getProto(b)) return false;
    const ta = tagOf(a);
    if (ta !== tagOf(b)) return false;
    if (isArray(a) !== isArray(b)) return false;
    if (isArray(a) && a.length !== b.length) return false;
    if (a instanceof Date) { if (a.getTime() !== b.getTime()) return false; }
    else if (a instanceof RegExp) { if (String(a) !== String(b)) return false; }
    else if (a instanceof Error) { if (a.message !== b.message || a.name !== b.name) return false; }
    else if (ta === "[object Number]" || ta === "[object String]" || ta === "[object Boolean]") { if (!objIs(a.valueOf(), b.valueOf())) return false; }
    memo = memo || { a: [], b: [] };
    const i = memo.a.indexOf(a);
    if (i >= 0 && memo.b[i] === b) return true;
    memo.a.push(a); memo.b.push(b);
    try {
      if (a instanceof Set) {
        if (!(b instanceof Set) || a.size !== b.size) return false;
        outer: for (const x of a) {
          if (b.has(x)) continue;
          for (const y of b) if (deq(x, y, strict, memo)) continue outer;
          return false;
        }
      } else if (a instanceof Map) {
        if (!(b instanceof Map) || a.size !== b.size) return false;
        for (const [k, v] of a) {
          if (!b.has(k) || !deq(v, b.get(k), strict, memo)) return false;
        }
      }
      const ka = keys(a), kb = keys(b);
      if (ka.length !== kb.length) return false;
      for (const k of ka) {
        if (!hasOwn.call(b, k)) return false;
        if (!deq(a[k], b[k], strict, memo)) return false;
      }
      return true;
    } finally {
      memo.a.pop(); memo.b.pop();
    }
  }
  function fail(actual, expected, message, operator, text) {
    if (message instanceof Error) throw message;
    const userMessage = message !== undefined;
    const m = userMessage ? String(message) : text + ":\n\n" + inspect(actual, 1) + "\n\nshould " + operator + "\n\n" + inspect(expected, 1);
    throw new AssertionError({ message: m, actual, expected, operator, userMessage });
  }
  function ok(v, message) { if (!v) fail(v, true, message === undefined ? "The expression evaluated to a falsy value:\n\n  assert.ok(" + inspect(v, 1) + ")" : message, "==", ""); }
  const assert = function assert(v, message) { ok(v, message); };
  assert.ok = ok;
  assert.AssertionError = AssertionError;
  assert.equal = (a, b, m) => { if (!(a == b || (isNaNn(a) && isNaNn(b)))) fail(a, b, m, "==", "Expected values to be loosely equal"); };
  assert.notEqual = (a, b, m) => { if (a == b || (isNaNn(a) && isNaNn(b))) fail(a, b, m, "!=", "Expected values to be loosely unequal"); };
  assert.strictEqual = (a, b, m) => { if (!objIs(a, b)) fail(a, b, m, "strictEqual", "Expected values to be strictly equal"); };
  assert.notStrictEqual = (a, b, m) => { if (objIs(a, b)) fail(a, b, m, "notStrictEqual", "Expected values to be strictly unequal"); };
  assert.deepEqual = (a, b, m) => { if (!deq(a, b, false)) fail(a, b, m, "loosely deep-equal", "Expected values to be loosely deep-equal"); };
  assert.notDeepEqual = (a, b, m) => { if (deq(a, b, false)) fail(a, b, m, "not loosely deep-equal", "Expected values not to be loosely deep-equal"); };
  assert.deepStrictEqual = (a, b, m) => { if (!deq(a, b, true)) fail(a, b, m, "deep-equal", "Expected values to be strictly deep-equal"); };
  assert.notDeepStrictEqual = (a, b, m) => { if (deq(a, b, true)) fail(a, b, m, "not deep-equal", "Expected values not to be strictly deep-equal"); };
  assert.fail = (m) => { if (m instanceof Error) throw m; throw new AssertionError({ message: m === undefined ? "Failed" : String(m), operator: "fail", userMessage: m !== undefined }); };
  assert.match = (s, re, m) => { if (typeof s !== "string" || !re.test(s)) fail(s, re, m, "match", "The input did not match the regular expression"); };
  assert.doesNotMatch = (s, re, m) => { if (typeof s === "string" && re.test(s)) fail(s, re, m, "doesNotMatch", "The input was expected to not match"); };
  function matches(e, expected) {
    if (expected === undefined) return true;
    if (typeof expected === "function") {
      if (expected.prototype !== undefined && e instanceof expected) return true;
      if (Error.isPrototypeOf(expected) || expected === Error) return false;
      return expected(e) === true;
    }
    if (expected instanceof RegExp) return expected.test(String(e));
    if (typeof expected === "object" && expected !== null) return keys(expected).every((k) => expected[k] instanceof RegExp ? expected[k].test(e[k]) : deq(e[k], expected[k], true));
    return true;
  }
  assert.throws = (fn, expected, m) => {
    if (typeof expected === "string") { m = expected; expected = undefined; }
    try { fn(); } catch (e) { if (!matches(e, expected)) throw e; return; }
    fail(undefined, expected, m, "throws", "Missing expected exception");
  };
  assert.doesNotThrow = (fn, _e, m) => { try { fn(); } catch (e) { fail(e, undefined, typeof _e === "string" ? _e : m, "doesNotThrow", "Got unwanted exception"); } };
  assert.rejects = async (p, expected, m) => {
    if (typeof expected === "string") { m = expected; expected = undefined; }
    try { await (typeof p === "function" ? p() : p); } catch (e) { if (!matches(e, expected)) throw e; return; }
    fail(undefined, expected, m, "rejects", "Missing expected rejection");
  };
  assert.doesNotReject = async (p, _e, m) => { try { await (typeof p === "function" ? p() : p); } catch (e) { fail(e, undefined, m, "doesNotReject", "Got unwanted rejection"); } };
  assert.ifError = (v) => { if (v !== null && v !== undefined) throw v; };
  const strict = function strict(v, m) { ok(v, m); };
  Object.assign(strict, assert, { equal: assert.strictEqual, notEqual: assert.notStrictEqual, deepEqual: assert.deepStrictEqual, notDeepEqual: assert.notDeepStrictEqual });
  assert.strict = strict;
  strict.strict = strict;

  // --- standard input ---
  let stdinText = typeof cfg.stdin === "string" ? cfg.stdin : "";
  const stdinListeners = { data: [], end: [], readable: [], close: [] };
  const rlInterfaces = [];
  const macrotasks = [];
  const stdin = {
    fd: 0, isTTY: false,
    setEncoding() { return stdin; }, resume() { return stdin; }, pause() { return stdin; },
    on(ev, fn) { (stdinListeners[ev] || (stdinListeners[ev] = [])).push(fn); return stdin; },
    once(ev, fn) { return stdin.on(ev, fn); },
    addListener(ev, fn) { return stdin.on(ev, fn); },
    removeAllListeners() { return stdin; },
    read() { const t = stdinText; stdinText = ""; return t === "" ? null : t; },
  };
  function readFileSync(p, enc) {
    if (p === 0 || p === "/dev/stdin") return enc ? stdinText : { toString: () => stdinText, split: (s) => stdinText.split(s), trim: () => stdinText.trim() };
    const e = new Error("ENOENT: no such file or directory, open '" + p + "'"); e.code = "ENOENT"; throw e;
  }
  function createInterface() {
    const rl = { listeners: { line: [], close: [] }, closed: false,
      on(ev, fn) { (rl.listeners[ev] || (rl.listeners[ev] = [])).push(fn); return rl; },
      once(ev, fn) { return rl.on(ev, fn); },
      close() { if (!rl.closed) { rl.closed = true; for (const f of rl.listeners.close) f(); } },
      setPrompt() {}, prompt() {}, question(q, cb) { const l = lines().shift(); cb(l === undefined ? "" : l); },
      [Symbol.asyncIterator]() { const ls = lines(); let i = 0; return { next: () => Promise.resolve(i < ls.length ? { value: ls[i++], done: false } : { value: undefined, done: true }), return: () => Promise.resolve({ done: true }) }; },
    };
    rlInterfaces.push(rl);
    return rl;
  }
  function lines() {
    const ls = stdinText.split("\n");
    if (ls.length && ls[ls.length - 1] === "") ls.pop();
    return ls.map((l) => l.replace(/\r$/, ""));
  }
  class ExitSignal extends Error { constructor(code) { super("process.exit(" + (Number(code) | 0) + ")"); this.name = "ExitSignal"; this.code = Number(code) | 0; } }
  const proc = {
    argv: ["node", "solution.js"], env: {}, platform: "linux", version: "v20.0.0", versions: { node: "20.0.0" },
    exitCode: undefined,
    stdin,
    stdout: { write: (s) => { write(out, s); return true; }, isTTY: false },
    stderr: { write: (s) => { write(err, s); return true; }, isTTY: false },
    exit(code) { throw new ExitSignal(code === undefined ? proc.exitCode || 0 : code); },
    on() { return proc; }, once() { return proc; },
    nextTick(fn, ...a) { Promise.resolve().then(() => fn(...a)); },
    hrtime: Object.assign(() => [0, 0], { bigint: () => 0n }),
    memoryUsage: () => ({ heapUsed: 0, rss: 0 }),
    cwd: () => "/",
  };
  define("process", proc);
  // crypto.createHash, computed by the host on copied strings (a pure function of the data).
  const hostHash = G.__rk_host_hash;
  delete G.__rk_host_hash;
  function createHash(alg) {
    const parts = [];
    const h = {
      update(d) { parts.push(String(d)); return h; },
      digest(enc) {
        const r = hostHash ? hostHash(String(alg), parts.join(""), enc === undefined ? "hex" : String(enc)) : null;
        if (typeof r !== "string") throw new Error("Digest method not supported");
        return r;
      },
    };
    return h;
  }
  const modules = {
    assert, "assert/strict": strict,
    crypto: { createHash },
    fs: { readFileSync },
    readline: { createInterface },
    util: { inspect: (v) => inspect(v, 1), format: (...a) => format(a), isDeepStrictEqual: (a, b) => deq(a, b, true) },
  };
  define("require", function require(name) {
    const n = String(name).replace(/^node:/, "");
    if (hasOwn.call(modules, n)) return modules[n];
    const e = new Error("Cannot find module '" + name + "'"); e.code = "MODULE_NOT_FOUND"; throw e;
  });
  define("module", { exports: {} });
  define("exports", G.module.exports);
  define("setTimeout", (fn, _ms, ...a) => { macrotasks.push(() => fn(...a)); return macrotasks.length; });
  define("setImmediate", (fn, ...a) => { macrotasks.push(() => fn(...a)); return macrotasks.length; });
  define("clearTimeout", () => {});
  define("setInterval", () => 0);
  define("clearInterval", () => {});

  function errInfo(e) {
    if (e instanceof ExitSignal) return report({ status: "exit", type: "process.exit", message: "process.exit(" + e.code + ")", code: e.code });
    let type = "Error", message = "";
    try {
      type = e && typeof e === "object" && typeof e.name === "string" ? e.name : typeof e;
      message = e && typeof e === "object" ? String(e.message) : String(e);
    } catch (x) { message = "<unprintable>"; }
    const assertion = e instanceof AssertionError || type === "AssertionError";
    if (over) return report({ status: "output_limit", type, message: "output limit exceeded" });
    return report({ status: assertion ? "fail" : "error", type, message: message.slice(0, 2000) });
  }
  define("__rk_err", errInfo);
  define("__rk_pass", () => (over ? report({ status: "output_limit", type: "RangeError", message: "output limit exceeded" }) : '{"status":"pass"}'));
  define("__rk_value", (v) => {
    if (over) return report({ status: "output_limit", type: "RangeError", message: "output limit exceeded" });
    let s;
    try { s = stringify(v === undefined ? null : v, (k, x) => (typeof x === "bigint" ? (rawJSON ? rawJSON(String(x)) : Number(x)) : x instanceof Set ? [...x] : x instanceof Map ? Object.fromEntries(x) : x)); } catch (e) { return report({ status: "fail", type: "TypeError", message: "the result is not JSON-serializable" }); }
    return report({ status: "pass", value: s === undefined ? "null" : s });
  });
  define("__rk_take", () => { const r = report({ out: out.join(""), err: err.join(""), over }); out.length = 0; err.length = 0; return r; });
  define("__rk_drain", () => {
    for (const f of stdinListeners.data) f(stdinText);
    for (const f of stdinListeners.readable) f();
    for (const f of stdinListeners.end) f();
    for (const rl of rlInterfaces) {
      for (const l of lines()) for (const f of rl.listeners.line) f(l);
      rl.close();
    }
    for (let i = 0; i < macrotasks.length && i < 100000; i++) macrotasks[i]();
    // A program that ends with process.exitCode set exits with that status, as under node.
    const code = proc.exitCode === undefined || proc.exitCode === null ? 0 : Number(proc.exitCode) | 0;
    if ((code & 255) !== 0) throw new ExitSignal(code);
  });
  define("__rk_exit", (e) => (e instanceof ExitSignal ? e.code : null));
  (${JS_CANDIDATE_CALL})(${JS_PLAIN}, define, (e) => (e instanceof ExitSignal ? e.code : null));
})();
`;
