/**
 * Time slices for long loops on the main thread: a loop asks `sliceDue()` between items and, when its
 * slice is used up, awaits `nextSlice()`, which lets the event loop answer I/O (a server's /health, other
 * requests, timers) before the loop goes on. One clock for the whole process, so many loops running at
 * once still give way every SLICE_MS between them.
 */

/** Longest stretch of work between two turns of the event loop, in milliseconds. */
export const SLICE_MS = 5;

let sliceStart = 0;
/** A slice runs from the first `sliceDue()` of a turn of the event loop to the end of that turn. */
let open = false;

const close = () => {
  open = false;
};

/** True when the current slice has run for SLICE_MS or longer. */
export function sliceDue(): boolean {
  const now = performance.now();
  if (!open) {
    // The first check of this turn: a new slice (an idle server does not owe a turn to anyone).
    open = true;
    sliceStart = now;
    setImmediate(close);
    return false;
  }
  return now - sliceStart >= SLICE_MS;
}

let turn: Promise<void> | undefined;

/**
 * Resolves on the next turn of the event loop (after pending I/O). Every caller waiting for that turn
 * shares it: the first to run uses the new slice and the others see it used up and wait for the turn
 * after (one immediate per caller would let 64 callers run a slice each in one turn).
 */
export function nextSlice(): Promise<void> {
  turn ??= new Promise((resolve) =>
    setImmediate(() => {
      turn = undefined;
      open = false;
      resolve();
    }),
  );
  return turn;
}

/** `xs.map(fn)`, giving way to the event loop between time slices (for arrays of many thousand items). */
export async function mapInSlices<T, U>(xs: readonly T[], fn: (x: T, i: number) => U): Promise<U[]> {
  const out = new Array<U>(xs.length);
  for (let i = 0; i < xs.length; i++) {
    if ((i & 255) === 255 && sliceDue()) await nextSlice();
    out[i] = fn(xs[i]!, i);
  }
  return out;
}
