/**
 * The Verifier interface and the registry that maps a spec node `type` to a verifier.
 */
import type { Outcome } from "./result.js";
import type { Sample } from "./sample.js";

/** A JSON Schema object (draft 2020-12 subset that ajv understands). */
export type JsonSchema = Record<string, unknown>;

export interface VerifyContext {
  /** Aborted when the caller gives up (and, unless the verifier manages its own deadline, at the deadline). */
  signal: AbortSignal;
  /** The time this verification may take, in milliseconds. */
  timeoutMs: number;
}

export interface Verifier<Config = Record<string, unknown>, Compiled = Config> {
  /** The node `type` in a spec, e.g. `"regex"`. */
  type: string;
  description: string;
  /** JSON Schema of the node's own properties (the common ones such as `name` are added by the spec). */
  configSchema: JsonSchema;
  /** The range of rewards this verifier can give; defaults to [0, 1]. */
  range?: readonly [number, number] | ((config: Config) => readonly [number, number]);
  /** Default deadline for one verification in milliseconds. */
  timeoutMs?: number;
  /**
   * True when the verifier enforces `ctx.timeoutMs` itself, typically by handing it to the worker pool
   * (whose clock starts when a thread picks the task up, so queueing never causes a timeout). Otherwise
   * the node races the verification against the deadline.
   */
  managesDeadline?: boolean;
  /**
   * Runs once when a spec is loaded: compile patterns and schemas, resolve defaults. Throw a
   * RewardkitError("config_error", ...) to reject the spec; the message is reported with the node's path.
   */
  compile?(config: Config): Compiled;
  verify(sample: Sample, config: Compiled, ctx: VerifyContext): Promise<Outcome> | Outcome;
}

// biome-ignore lint/suspicious/noExplicitAny: a registry holds verifiers of every config type
export type AnyVerifier = Verifier<any, any>;

export class VerifierRegistry {
  private readonly byType = new Map<string, AnyVerifier>();
  private readonly reserved: Set<string>;

  constructor(reservedTypes: Iterable<string> = []) {
    this.reserved = new Set(reservedTypes);
  }

  register(v: AnyVerifier, opts: { replace?: boolean } = {}): void {
    if (!/^[a-z][a-z0-9_]*$/.test(v.type)) {
      throw new Error(`verifier type '${v.type}' must be snake_case (a-z, 0-9, _)`);
    }
    if (this.reserved.has(v.type)) throw new Error(`'${v.type}' is a composition node type, not a verifier`);
    if (this.byType.has(v.type) && !opts.replace) {
      throw new Error(`a verifier '${v.type}' is already registered (pass { replace: true } to override)`);
    }
    this.byType.set(v.type, v);
  }

  get(type: string): AnyVerifier | undefined {
    return this.byType.get(type);
  }

  types(): string[] {
    return [...this.byType.keys()].sort();
  }

  reserve(types: Iterable<string>): void {
    for (const t of types) this.reserved.add(t);
  }
}

export function verifierRange(v: AnyVerifier, config: unknown): readonly [number, number] {
  if (!v.range) return [0, 1];
  return typeof v.range === "function" ? v.range(config) : v.range;
}
