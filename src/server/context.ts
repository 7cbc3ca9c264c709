import type { Reward } from "../spec/index.js";

/** What every protocol adapter needs: the reward and the policies for trainers that need numbers. */
export interface ServerContext {
  reward: Reward;
  abstainValue: number;
  errorValue: number;
  stripTokens: string[];
  maxBatch: number;
  concurrency: number;
}
