import type { Invariant, Violation } from "./Invariant.ts";

/** A runner whose client call throws is a finding, never a crash of the harness. */
export const runnerError: Invariant = {
  name: "runner-error",
  description: "no client call is rejected with an error",
  liveness: false,
  check(trace) {
    for (const e of trace) {
      if (e.type !== "client.error") continue;
      const v: Violation = { invariant: "runner-error", step: e.step, message: `request ${e.request} threw: ${e.error}` };
      return [v];
    }
    return [];
  },
};
