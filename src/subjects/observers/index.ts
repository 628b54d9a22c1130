import { busySet } from "./busy-set.ts";
import { fixedObserver } from "./fixed.ts";
import { mainIdle } from "./main-idle.ts";
import type { RunObserver } from "./RunObserver.ts";

/** The `run` command observers by name (`--observer`). */
export const ObserversMap = {
  "main-idle": mainIdle,
  "busy-set": busySet,
  fixed: fixedObserver,
} as const satisfies Record<string, RunObserver>;

export type BuiltinObserver = keyof typeof ObserversMap;

/** The observer used when none is named. */
export const DEFAULT_OBSERVER: BuiltinObserver = "fixed";
