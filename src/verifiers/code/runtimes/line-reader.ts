/**
 * Reads JSON lines from an untrusted stream (a candidate process's replies): a line longer than `max`
 * calls `overflow` (the caller kills the process) instead of growing without bound; a line that is not
 * JSON is skipped.
 */
export function jsonLines<T>(
  max: number,
  onLine: (v: T) => void,
  overflow: () => void,
): (chunk: string) => void {
  let buf = "";
  return (chunk) => {
    buf += chunk;
    if (buf.length > max) {
      buf = "";
      overflow();
      return;
    }
    let nl = buf.indexOf("\n");
    while (nl >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      nl = buf.indexOf("\n");
      let v: T;
      try {
        v = JSON.parse(line) as T;
      } catch {
        continue;
      }
      onLine(v);
    }
  };
}
