import type { RunnerVariant } from "../../../boundaries/port.ts";
import { fixed } from "./fixed.ts";
import { pr21528 } from "./pr-21528.ts";
import { upstream } from "./upstream.ts";

/** The runner variants by name; the CLI's `--runner` reads this map. */
export const RunnersMap = {
  upstream,
  "pr-21528": pr21528,
  fixed,
} as const satisfies Record<string, RunnerVariant>;

export type BuiltinRunner = keyof typeof RunnersMap;
