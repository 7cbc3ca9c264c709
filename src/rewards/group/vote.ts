/**
 * Majority vote and consensus over a group's answers, by equivalence classes: with a math equivalence,
 * "0.5", "1/2" and "\frac12" are one answer. Classes are formed greedily against each class's
 * representative; ties between classes of equal size go to the one whose representative sorts first, and
 * each class is represented by its smallest member, so the outcome does not depend on the group's order
 * for any transitive equivalence.
 */

/**
 * Two answers are the same answer. With `key`, they are exactly when their keys are equal: the vote then
 * groups by key in one pass instead of comparing each answer with every class.
 */
export type Equivalence = ((a: string, b: string) => boolean | Promise<boolean>) & {
  key?: (answer: string) => string;
};

/** An equivalence given as a classifier: the class of each answer (null: no answer), all at once. */
export interface Classifier {
  classify(answers: readonly (string | null)[]): Promise<(number | null)[]>;
}

export interface VoteResult {
  /** The class index of each answer (null where there was no answer). */
  classOf: (number | null)[];
  /** Representative answer of each class, and its size. */
  classes: { answer: string; votes: number }[];
  /** The majority class, or null when no answer was found. */
  majority: number | null;
}

export async function vote(
  answers: readonly (string | null)[],
  eq: Equivalence | Classifier,
): Promise<VoteResult> {
  if (typeof eq !== "function") return fromClasses(answers, await eq.classify(answers));
  if (eq.key) return fromClasses(answers, byKey(answers, eq.key));
  // Visit answers in a canonical order so that greedy clustering does not depend on the input order.
  const order = answers
    .map((a, i) => ({ a, i }))
    .filter((x): x is { a: string; i: number } => x.a !== null)
    .sort((x, y) => (x.a < y.a ? -1 : x.a > y.a ? 1 : 0));
  const classes: { answer: string; votes: number }[] = [];
  const classOf: (number | null)[] = answers.map(() => null);
  const cache = new Map<string, number>();
  for (const { a, i } of order) {
    let found = cache.get(a);
    if (found === undefined) {
      for (let c = 0; c < classes.length; c++) {
        if (await eq(classes[c]!.answer, a)) {
          found = c;
          break;
        }
      }
      if (found === undefined) {
        found = classes.length;
        classes.push({ answer: a, votes: 0 });
      }
      cache.set(a, found);
    }
    classes[found]!.votes++;
    classOf[i] = found;
  }
  let majority: number | null = null;
  classes.forEach((c, k) => {
    if (majority === null || c.votes > classes[majority]!.votes) majority = k;
  });
  return { classOf, classes, majority };
}

/**
 * Votes from a classifier's classes. Each class is represented by its smallest member and the classes are
 * ordered by representative, so the result does not depend on the order of the group.
 */
function fromClasses(answers: readonly (string | null)[], raw: readonly (number | null)[]): VoteResult {
  const members = new Map<number, string[]>();
  raw.forEach((c, i) => {
    if (c === null || answers[i] === null) return;
    const list = members.get(c) ?? [];
    list.push(answers[i]!);
    members.set(c, list);
  });
  const ordered = [...members.entries()]
    .map(([id, xs]) => ({ id, answer: xs.reduce((a, b) => (b < a ? b : a)), votes: xs.length }))
    .sort((x, y) => (x.answer < y.answer ? -1 : x.answer > y.answer ? 1 : 0));
  const index = new Map(ordered.map((c, k) => [c.id, k]));
  const classes = ordered.map(({ answer, votes }) => ({ answer, votes }));
  let majority: number | null = null;
  classes.forEach((c, k) => {
    if (majority === null || c.votes > classes[majority]!.votes) majority = k;
  });
  return {
    classOf: raw.map((c, i) => (c === null || answers[i] === null ? null : index.get(c)!)),
    classes,
    majority,
  };
}

/** Class ids by key: the first answer with each key opens its class. */
function byKey(answers: readonly (string | null)[], key: (a: string) => string): (number | null)[] {
  const ids = new Map<string, number>();
  return answers.map((a) => {
    if (a === null) return null;
    const k = key(a);
    let id = ids.get(k);
    if (id === undefined) {
      id = ids.size;
      ids.set(k, id);
    }
    return id;
  });
}

export const exactEquivalence: Equivalence = Object.assign((a: string, b: string) => a === b, {
  key: (a: string) => a,
});

export const normalizedEquivalence: Equivalence = Object.assign(
  (a: string, b: string) => norm(a) === norm(b),
  { key: norm },
);

function norm(s: string): string {
  return s
    .normalize("NFKC")
    .toLowerCase()
    .replace(/\s+/g, " ")
    .trim()
    .replace(/[.。]$/, "");
}
