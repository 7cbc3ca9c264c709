/**
 * Limits every endpoint shares: batch size, JSON nesting depth, NDJSON line size and the time allowed to
 * receive a body. A refused request gets a 4xx with our error body (see the error handler in app.ts).
 */

/** An error the error handler turns into `statusCode` with our error body. */
export class Refused extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

export function checkBatch(n: number, maxBatch: number, what = "samples"): void {
  if (n > maxBatch) {
    throw new Refused(413, `${n} ${what} in one request; the limit is ${maxBatch} (--max-batch)`);
  }
}

/** A preValidation hook: refuses a batch over the limit before the schema walks its items. */
export function batchLimit(field: string, maxBatch: number, what = field) {
  return async (req: { body: unknown }) => {
    const items = (req.body as Record<string, unknown> | null)?.[field];
    if (Array.isArray(items)) checkBatch(items.length, maxBatch, what);
  };
}

/**
 * True when JSON text nests arrays/objects deeper than `max`. A linear scan without recursion, so a
 * hostile body is refused before a recursive consumer (a validator, a clone) overflows the stack.
 */
export function nestedDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      // Jump over the string to its closing quote (one not escaped by an odd run of backslashes).
      for (;;) {
        i = text.indexOf('"', i + 1);
        if (i < 0) return false; // unterminated: the parser refuses it
        let slashes = 0;
        while (text.charCodeAt(i - 1 - slashes) === 92) slashes++;
        if (slashes % 2 === 0) break;
      }
    } else if (c === 123 || c === 91) {
      if (++depth > max) return true;
    } else if (c === 125 || c === 93) depth--;
  }
  return false;
}

export function depthError(max: number, where = "request body"): Refused {
  return new Refused(
    400,
    `${where} nests arrays/objects more than ${max} levels deep; the limit is ${max} (--max-depth)`,
  );
}

/** Nothing arrived for `ms` while the server waited for more of the body. */
export class BodyTimeout extends Refused {
  constructor(ms: number) {
    super(408, `the request body was not received within ${ms} ms (--body-timeout)`);
  }
}

/**
 * Lines of an NDJSON body, split on "\n" (a trailing "\r" dropped), never buffering more than
 * `maxBytes` of one line: a longer line throws a 413 Refused. Waiting more than `idleMs` for the next
 * chunk throws BodyTimeout; time spent by the consumer between lines does not count. `beforeWait` runs
 * each time the lines received so far are used up and more must be awaited.
 */
export async function* ndjsonLines(
  it: AsyncIterator<Buffer | string>,
  maxBytes: number,
  idleMs: number,
  beforeWait?: () => Promise<void>,
): AsyncGenerator<string> {
  const tooLong = () =>
    new Refused(
      413,
      `an NDJSON line is longer than ${maxBytes} bytes; the limit is ${maxBytes} (--max-line)`,
    );
  let parts: Buffer[] = [];
  let len = 0;
  const text = (b: Buffer) => {
    const s = b.toString("utf8");
    return s.endsWith("\r") ? s.slice(0, -1) : s;
  };
  for (;;) {
    await beforeWait?.();
    let timer: NodeJS.Timeout | undefined;
    const idle = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new BodyTimeout(idleMs)), idleMs);
    });
    let step: IteratorResult<Buffer | string>;
    try {
      step = await Promise.race([it.next(), idle]);
    } finally {
      clearTimeout(timer);
    }
    if (step.done) break;
    const buf = typeof step.value === "string" ? Buffer.from(step.value) : step.value;
    let from = 0;
    for (let nl = buf.indexOf(10, from); nl >= 0; nl = buf.indexOf(10, from)) {
      if (len + nl - from > maxBytes) throw tooLong();
      const piece = buf.subarray(from, nl);
      const line = len ? Buffer.concat([...parts, piece]) : piece;
      parts = [];
      len = 0;
      from = nl + 1;
      yield text(line);
    }
    if (from < buf.length) {
      len += buf.length - from;
      if (len > maxBytes) throw tooLong();
      parts.push(buf.subarray(from));
    }
  }
  if (len) yield text(Buffer.concat(parts));
}

/**
 * Reads and drops the rest of a refused body for at most `ms`, so that a keep-alive connection can carry
 * the client's next request; false when the body did not end by then (the caller hangs up).
 */
export async function discardRest(it: AsyncIterator<unknown>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) return false;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<"late">((r) => {
      timer = setTimeout(() => r("late"), left);
    });
    try {
      const step = await Promise.race([it.next(), late]);
      if (step === "late") return false;
      if (step.done) return true;
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }
}
