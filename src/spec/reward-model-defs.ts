/**
 * The `reward_ensemble` composition node; the node and the `reward_model` verifier live in
 * src/rubrics/reward-model.
 */
import { COMBINES, type Combine, RewardEnsembleNode } from "../rubrics/reward-model/index.js";
import { type CompositeDef, PROPAGATE, TERMS } from "./def-helpers.js";

export const REWARD_ENSEMBLE_DEF: CompositeDef = {
  description:
    "Several reward models combined by mean, min or mean - k * std (uncertainty-penalised); details report their disagreement (std, spread).",
  schema: {
    required: ["members"],
    properties: {
      members: { ...TERMS, minItems: 2, description: "The reward nodes (typically reward_model nodes)." },
      combine: { enum: [...COMBINES], default: "mean", description: "mean | min | mean_minus_std." },
      k: { type: "number", minimum: 0, default: 1, description: "mean_minus_std: the penalty per std." },
    },
  },
  defaults: PROPAGATE,
  children: (n) =>
    Array.isArray(n.members)
      ? (n.members as unknown[]).map((spec, i) => ({ path: ["members", i], spec }))
      : [],
  check: (n) =>
    n.k !== undefined && n.combine !== "mean_minus_std"
      ? [[["k"], "'k' applies to combine mean_minus_std only"]]
      : [],
  build: (n, name, kids, p) =>
    new RewardEnsembleNode(
      name,
      kids,
      (n.combine as Combine | undefined) ?? "mean",
      typeof n.k === "number" ? n.k : 1,
      p,
    ),
};
