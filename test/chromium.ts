/**
 * Debian's chromium through playwright-core, started the way this closed network needs (no background
 * networking, no component updates: otherwise it keeps opening refused connections) with a fresh profile
 * directory per start. Shared by the report's browser test and `npm run bench:report` (which loads this
 * file with Node's type stripping).
 */
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export const hasChromium = (): boolean => existsSync(CHROMIUM);

export function launchChromium(profilePrefix: string): Promise<BrowserContext> {
  // playwright passes the profile directory as --user-data-dir.
  return chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), profilePrefix)), {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
