/** Worker-pool task: a text similarity metric over large inputs (quadratic ones can take long). */
import { type Metric, similarity } from "./metrics.js";

export function similarityTask(a: { metric: Metric; input: string; reference: string }): number {
  return similarity(a.metric, a.input, a.reference);
}
