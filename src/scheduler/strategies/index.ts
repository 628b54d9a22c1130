import { random } from "./random.ts";
import type { StrategyFactory } from "./Strategy.ts";

/**
 * The exploration strategies by name; `--strategy` reads this map. Replay is a strategy too
 * ({@link ./replay.ts}) but takes a recording, so it is reached through `racelab replay`.
 */
export const StrategiesMap = {
  random,
} as const satisfies Record<string, StrategyFactory>;

export type BuiltinStrategy = keyof typeof StrategiesMap;
