import type { Invariant } from "./Invariant.ts";
import { indexTrace } from "./TraceIndex.ts";

/** Reference invariant 9: at rest (no ready point left), no client call waits forever. */
export const noHang: Invariant = {
  name: "no-hang",
  description: "at rest no client call is still waiting",
  liveness: true,
  check(trace, end) {
    if (!end.atRest || end.pendingCalls.length === 0) return [];
    const index = indexTrace(trace);
    const calls = end.pendingCalls.map((r) => {
      const c = index.calls.get(r);
      return c ? `${r} (${c.action} ${c.sessionID}, sent at step ${c.step})` : r;
    });
    return [
      {
        invariant: "no-hang",
        step: end.steps,
        message: `the run went quiet after step ${end.steps} with nothing left to schedule while ${calls.join(", ")} still wait${calls.length === 1 ? "s" : ""}`,
      },
    ];
  },
};
