import type { Invariant } from "./Invariant.ts";
import { requestBlock } from "./blockers.ts";
import { indexTrace } from "./TraceIndex.ts";

/**
 * Reference invariant 9: at rest (no ready point left), no client call waits forever. The
 * report says what each waits for (see {@link requestBlock}): the run it joined and why that
 * run never answers, the permission ask nobody answered, the observer's last event.
 */
export const noHang: Invariant = {
  name: "no-hang",
  description: "at rest no client call is still waiting",
  liveness: true,
  check(trace, end) {
    if (!end.atRest || end.pendingCalls.length === 0) return [];
    const index = indexTrace(trace);
    const blocks = end.pendingCalls.map((r) => ({ request: r, call: index.calls.get(r), block: requestBlock(trace, end, r) }));
    const calls = blocks.map(({ request, call }) => (call ? `${request} (${call.action} ${call.sessionID}, sent at step ${call.step})` : request));
    const why = blocks.filter((b) => b.block.text).map((b) => `${b.request}: ${b.block.text}`);
    return [
      {
        invariant: "no-hang",
        step: end.steps,
        message: `the run went quiet after step ${end.steps} with nothing left to schedule while ${calls.join(", ")} still wait${calls.length === 1 ? "s" : ""}${why.length > 0 ? ` (${why.join("; ")})` : ""}`,
        evidence: blocks.flatMap(({ request, call, block }) => [...(call ? [{ step: call.step, what: `${call.client} sent ${request} (${call.action} ${call.sessionID})`, role: "caller" }] : []), ...block.evidence]),
      },
    ];
  },
};
