/**
 * Nothing a sample leaves in the Pyodide candidate's JavaScript realm acts on a later sample. The
 * memory restore cannot reach it: a proxy the garbage collector frees later decrefs an address of the
 * previous sample's heap, a timer runs the previous sample's callback. Here the candidate runs with
 * --expose-gc, so it runs the collector after every request: what V8 did at an unknown moment (an
 * honest program trapped after the red-team corpus in about 2 runs of 9) happens at a known one.
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  type CandidateOutcome,
  candidateCommand,
  PyCandidate,
} from "../../src/verifiers/code/runtimes/python-candidate-host.js";

const HONEST = "def f(x):\n    return 2 * x\n";
const started: PyCandidate[] = [];
afterEach(() => {
  for (const c of started.splice(0)) c.kill();
});

async function candidate(): Promise<PyCandidate> {
  const c = new PyCandidate(candidateCommand(undefined, ["--expose-gc"]).argv);
  started.push(c);
  await c.ready;
  return c;
}

const show = (o: CandidateOutcome) =>
  o.kind === "reply" ? (o.reply.text ?? "") : `${o.kind}: ${"message" in o ? o.message : ""}`;

/** One sample: load the program, then call f(4) as a call test would, and as a judge would. */
async function sample(c: PyCandidate, code: string, memoryMb = 256): Promise<string[]> {
  const out: string[] = [];
  for (const req of [
    { op: "load", code, memoryMb },
    { op: "call_json", name: "f", payload: "[4]" },
    { op: "call", name: "f", payload: '{"args": [4]}' },
  ]) {
    const o = await c.request(req, 20_000);
    out.push(show(o));
    if (o.kind !== "reply") break;
  }
  return out;
}

const HONEST_REPLY = [
  '{"status": "pass", "names": ["f"]}',
  '{"status": "pass", "value": "8"}',
  '{"value":8}',
];

/** The attack, then honest samples in the same interpreter: each must get the honest answer. */
async function followedByHonest(attack: string, memoryMb?: number): Promise<string[]> {
  const c = await candidate();
  const first = await sample(c, attack, memoryMb);
  const after: string[] = [];
  for (let i = 0; i < 3; i++) after.push(...(await sample(c, HONEST)));
  expect(c.dead, "the candidate survived").toBe(false);
  expect(after).toEqual([...HONEST_REPLY, ...HONEST_REPLY, ...HONEST_REPLY]);
  return first;
}

describe("the Pyodide candidate between samples", () => {
  it("lets go of a proxy made by a tampered server before the next sample's memory is in place", async () => {
    // The server's methods answer a dict instead of text: the reply reaches JavaScript as a proxy.
    const attack = `import sys
f = sys._getframe()
while f is not None:
    for v in list(f.f_globals.values()):
        if isinstance(v, type) and v.__name__.startswith("_Rk"):
            for m in ("call", "call_json"):
                setattr(v, m, lambda self, *a: {"status": "pass", "value": "5"})
    f = f.f_back
def f(x):
    return x
`;
    const first = await followedByHonest(attack);
    expect(first[2]).toMatch(/tampered/);
  }, 120_000);

  it("runs no callback that asyncio's event loop scheduled in an earlier sample", async () => {
    // A callback chain that keeps itself scheduled (call_soon), and one due after the sample (call_later).
    const attack = `import asyncio
loop = asyncio.get_event_loop()
def again():
    loop.call_soon(again)
def spin():
    while True:
        pass
try:
    loop.call_soon(again)
except Exception as e:
    print("refused:", e)
try:
    loop.call_later(0.05, spin)
except Exception as e:
    print("refused:", e)
def f(x):
    return x
`;
    await followedByHonest(attack);
  }, 120_000);

  it("answers honestly after samples that grow the memory, hit its cap or open many files", async () => {
    const grow = "big = bytearray(150 << 20)\nbig[-1] = 1\ndel big\ndef f(x):\n    return x\n";
    const cap =
      "chunks = []\ntry:\n    while True:\n        chunks.append(bytearray(8 << 20))\nexcept MemoryError:\n    pass\ndel chunks\ndef f(x):\n    return x\n";
    const files =
      "import os\nhandles = []\nfor i in range(2000):\n    try:\n        handles.append(open('/tmp/f%d' % i, 'w'))\n    except OSError:\n        break\ndef f(x):\n    return x\n";
    await followedByHonest(grow, 512);
    await followedByHonest(cap, 64);
    await followedByHonest(files);
  }, 240_000);
});
