import type { Scheduler } from "fast-check";
import { Interrupted, type PointOptions } from "../port.ts";
import type { ForeignScheduler } from "./runWorld.ts";

/**
 * The runner port's scheduling points on fast-check's `fc.scheduler()`: each point is a
 * scheduled task; `settle` is fast-check's `waitIdle()`. Interrupts reject the runner's wait
 * at once (fast-check keeps the dead task and releases it later to no effect).
 */
export function fastCheckScheduler(s: Scheduler): ForeignScheduler {
  return {
    point(label: string, options?: PointOptions) {
      const signal = options?.signal;
      if (signal?.aborted) return Promise.reject(new Interrupted(label));
      const released = s.schedule(Promise.resolve(), label);
      if (!signal) return released;
      return new Promise<void>((resolve, reject) => {
        const onAbort = () => reject(new Interrupted(label));
        signal.addEventListener("abort", onAbort, { once: true });
        void released.then(() => {
          signal.removeEventListener("abort", onAbort);
          if (!signal.aborted) resolve();
        });
      });
    },
    settle: () => s.waitIdle(),
  };
}
