/**
 * `--spec` arguments that are not specs, and the serve command's address and token checks, through the
 * real binary (and a real server on a free port for the token scheme).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildServer, loadReward } from "../../src/index.js";
import { isLoopback } from "../../src/server/index.js";
import { runCli } from "./run.js";

const tmp = mkdtempSync(join(tmpdir(), "rk-spec-"));

describe("--spec that is not a spec", () => {
  it("Object.prototype names are not presets: a usage error naming the unknown preset", async () => {
    for (const name of ["constructor", "__proto__", "toString"]) {
      const r = await runCli(["score", "--spec", name], "");
      expect(r.code, name).toBe(2);
      expect(r.stderr).toContain(`'${name}' is neither a preset`);
      const p = await runCli(["presets", name]);
      expect(p.code, name).toBe(2);
      expect(p.stderr).toContain(`unknown preset '${name}'`);
    }
  });

  it("a device, a FIFO or a directory is refused at once, without reading it", async () => {
    const fifo = join(tmp, "fifo");
    execFileSync("mkfifo", [fifo]);
    for (const path of ["/dev/zero", fifo, tmp]) {
      const r = await runCli(["validate", path]);
      expect(r.code, path).toBe(2);
      expect(r.stderr).toContain(`${path} is not a regular file`);
    }
  });

  it("a spec file over 4 MiB is refused naming the limit", async () => {
    const big = join(tmp, "big.json");
    writeFileSync(big, `{"type": "exact", "pad": "${"x".repeat(4 * 1024 * 1024)}"}`);
    const r = await runCli(["validate", big]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/a spec file may have at most 4194304/);
  });

  it("a JSON error quotes only a short, escaped excerpt of the file", async () => {
    const secret = `\u001b]0;pwned\u0007 token=${"s".repeat(200)}`;
    const path = join(tmp, "bad.json");
    writeFileSync(path, secret);
    const r = await runCli(["validate", path]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is not valid JSON: Unexpected token "\\u001b"/);
    const raw = [...r.stderr].filter((c) => c.charCodeAt(0) < 0x20 && c !== "\n");
    expect(raw).toEqual([]); // no raw control characters
    expect(r.stderr).not.toContain("s".repeat(40));
    const late = join(tmp, "late.json");
    writeFileSync(late, `{"type": "exact", "name": "n",, "secret": "${"k".repeat(100)}"}`);
    const l = await runCli(["validate", late]);
    expect(l.stderr).toMatch(/at position 30 .*\(near \.\.\.".*,, \\"secret/);
    expect(l.stderr).not.toContain("k".repeat(40));
  });
});

describe("loopback addresses", () => {
  it("are parsed, not matched as text", () => {
    for (const h of [
      "127.0.0.1",
      "127.1.2.3",
      "::1",
      "[::1]",
      "0:0:0:0:0:0:0:1",
      "::ffff:127.0.0.1",
      "::ffff:7f00:1",
      "localhost",
    ])
      expect(isLoopback(h), h).toBe(true);
    for (const h of [
      "127.example.com",
      "127.0.0.1.nip.io",
      "0.0.0.0",
      "::",
      "10.0.0.1",
      "::ffff:10.0.0.1",
      "::2",
      "128.0.0.1",
    ])
      expect(isLoopback(h), h).toBe(false);
  });

  it("serve refuses a name that only looks like 127.x without a token", async () => {
    const r = await runCli(["serve", "--spec", "think-answer", "--host", "127.example.com", "--port", "0"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/refusing to bind 127\.example\.com without a token/);
  });
});

describe("the bearer scheme", () => {
  const app = buildServer(loadReward("think-answer"), { token: "s3cret" });
  afterAll(() => app.close());

  it("is accepted in any case; the token itself is not", async () => {
    const url = await app.listen({ host: "127.0.0.1", port: 0 });
    const call = (authorization: string) =>
      fetch(`${url}/v1/score`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization },
        body: JSON.stringify({ samples: [] }),
      }).then((r) => r.status);
    for (const scheme of ["Bearer", "bearer", "BEARER", "bEaReR"])
      expect(await call(`${scheme} s3cret`), scheme).toBe(200);
    expect(await call("bearer S3CRET")).toBe(401);
    expect(await call("Basic s3cret")).toBe(401);
    expect(await call("bearers3cret")).toBe(401);
  });
});
