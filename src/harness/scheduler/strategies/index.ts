import { dfs } from "./dfs.ts";
import { pct } from "./pct.ts";
import { portfolio } from "./portfolio.ts";
import { random } from "./random.ts";
import type { StrategyFactory } from "./Strategy.ts";

/**
 * The exploration strategies by name; `--strategy` reads this map. Replay is a strategy too
 * ({@link ./replay.ts}) but takes a recording, so it is reached through `racelab replay`.
 */
export const StrategiesMap = {
  portfolio,
  random,
  pct,
  dfs,
} as const satisfies Record<string, StrategyFactory>;

export type BuiltinStrategy = keyof typeof StrategiesMap;

/** One line per strategy, for `racelab list`. */
export const StrategyDescriptions: Record<BuiltinStrategy | "replay", string> = {
  portfolio: "the default: pct(d=2), pct(d=3) and random interleaved within one budget",
  random: "seeded uniform random walk (pure-rand)",
  pct: "probabilistic concurrency testing (Burckhardt et al., ASPLOS 2010), --depth d",
  dfs: "exhaustive depth-first search with a preemption bound (--preemptions k), reduced by source-DPOR with sleep sets",
  replay: "strict replay of a schedule file (racelab replay <file>)",
};
