import { Interrupted, type PointOptions } from "../port.ts";
import { quiescence } from "../../harness/scheduler/VirtualScheduler.ts";
import type { ForeignScheduler } from "./runWorld.ts";

/**
 * No scheduler at all: every point resolves at once, so the program runs in plain
 * promise order (one fixed interleaving). The floor for benchmarks, and proof that the
 * runner needs nothing of racelab to run.
 */
export function bareScheduler(): ForeignScheduler {
  return {
    point(label: string, options?: PointOptions) {
      return options?.signal?.aborted ? Promise.reject(new Interrupted(label)) : Promise.resolve();
    },
    settle: () => quiescence(),
  };
}
