/** Resolves a worker module next to this file: built JS in dist/ even when running from src/ (tests). */
import { resolveTaskModule } from "../../../core/index.js";

export function workerModule(url: URL): URL {
  return new URL(resolveTaskModule(url));
}
