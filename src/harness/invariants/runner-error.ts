import type { Invariant, Violation } from "./Invariant.ts";
import { indexTrace } from "./TraceIndex.ts";

/** A runner whose client call throws is a finding, never a crash of the harness. */
export const runnerError: Invariant = {
  name: "runner-error",
  description: "no client call is rejected with an error",
  liveness: false,
  check(trace) {
    for (const e of trace) {
      if (e.type !== "client.error") continue;
      const call = indexTrace(trace).calls.get(e.request);
      const what = call ? ` (${call.action} ${call.sessionID})` : "";
      const v: Violation = {
        invariant: "runner-error",
        step: e.step,
        evidence: [
          ...(call ? [{ step: call.step, what: `${call.client} sent ${call.request} (${call.action} ${call.sessionID})`, role: "client" }] : []),
          { step: e.step, what: `${e.request} threw`, role: "runner" },
        ],
        message:
          e.request === "(uncaught)"
            ? `the runner threw where nothing awaits it (an unhandled rejection or a timer callback): ${e.error}`
            : e.request === "(create)"
              ? `the runner's create(port) threw when racelab built it for this run: ${e.error}`
              : e.request === "(trace)"
                ? `the runner reported a malformed trace event: ${e.error}`
                : `request ${e.request}${what} threw: ${e.error}`,
        ...(call && { sessionID: call.sessionID }),
      };
      return [v];
    }
    return [];
  },
};
