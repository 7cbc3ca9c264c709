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

/**
 * Changes to a completion that never change a reward (checked by `rewardkit lint`, see docs/lint.md):
 *   whitespace     a run of spaces/tabs replaced by another, spaces added at line ends or at the start;
 *   line_endings   LF turned into CRLF;
 *   unicode        NFC versus NFD of the same text;
 *   latex_spacing  \, \; \! \: and spaces between the tokens of a LaTeX answer;
 *   answer_rewrites  the final answer replaced by an equivalent one printed by the math engine.
 */
export type Invariance = "whitespace" | "line_endings" | "unicode" | "latex_spacing" | "answer_rewrites";

/**
 * The laws a verifier keeps, beyond the universal ones (totality, bounds, determinism) that every
 * verifier must keep. `rewardkit lint` checks each declared law; composite nodes derive theirs from
 * their children. Declare only what holds for every input.
 */
export interface Laws {
  /** Changes to the completion that never change the result. */
  invariant?: readonly Invariance[];
  /** Changing the final answer of a sample at the maximum reward takes it off the maximum. */
  sensitive_to_answer?: boolean;
  /** Swapping the final answer and the (single, text) reference gives the same result. */
  symmetric?: boolean;
  /** Deliberately asymmetric: the reference is the gold and the completion the prediction. */
  asymmetric?: boolean;
  /** The reward never rises (nonincreasing) or never falls (nondecreasing) as the input gets longer. */
  monotone_in_length?: "nonincreasing" | "nondecreasing";
  /** The verifier checks a tag format built from these tags (duplicated or nested tags, prose outside). */
  format_tags?: readonly string[];
  /** The verifier runs the program in the completion (the code attacks apply: early exits, hard-coded output). */
  runs_programs?: boolean;
}

export interface Verifier<Config = Record<string, unknown>, Compiled = Config> {
  /** The node `type` in a spec, e.g. `"regex"`. */
  type: string;
  description: string;
  /** JSON Schema of the node's own properties (the common ones such as `name` are added by the spec). */
  configSchema: JsonSchema;
  /** The range of rewards this verifier can give; defaults to [0, 1]. */
  range?: readonly [number, number] | ((config: Config) => readonly [number, number]);
  /** The laws this verifier keeps (see Laws), or a function of its config that says which. */
  laws?: Laws | ((config: Config) => Laws);
  /** Default deadline for one verification in milliseconds. */
  timeoutMs?: number;
  /**
   * True when the verifier enforces `ctx.timeoutMs` itself, typically by handing it to the worker pool
   * (whose clock starts when a thread picks the task up, so queueing never causes a timeout). Otherwise
   * the node races the verification against the deadline.
   */
  managesDeadline?: boolean;
  /**
   * True (or true for this compiled config) when a verification only computes: CPU-bound and deterministic,
   * no I/O, no model call, no process or slot of its own. A spec made only of such nodes may be scored a
   * whole row at a time on a pool worker (the CLI shards its rows so); the verifier's own pool tasks then
   * run inline on that worker. Leave it out when unsure: the verifier then runs where it always has.
   */
  pure?: boolean | ((compiled: Compiled) => boolean);
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

export function verifierLaws(v: AnyVerifier, config: unknown): Laws {
  if (!v.laws) return {};
  return typeof v.laws === "function" ? v.laws(config ?? {}) : v.laws;
}

export function verifierRange(v: AnyVerifier, config: unknown): readonly [number, number] {
  if (!v.range) return [0, 1];
  return typeof v.range === "function" ? v.range(config) : v.range;
}
