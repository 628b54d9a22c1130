import type { Invariant } from "./Invariant.ts";

/**
 * Every step returns to racelab's scheduler: a step that spins (a synchronous loop) or never
 * lets a macrotask run (a flood of microtasks) would hang the run. A sandboxed run whose step
 * does not come back within the step budget is stopped, and this names the step and its actor.
 */
export const runnerTimeout: Invariant = {
  name: "runner-timeout",
  description: "every step of the code under test returns to the scheduler within the step budget (--step-timeout)",
  liveness: false,
  check(_trace, end) {
    const f = end.fault;
    if (f?.kind !== "timeout") return [];
    const what = f.step === 0 ? "building the runner (create) or starting the clients" : `step ${f.step} (${f.label})`;
    return [
      {
        invariant: "runner-timeout",
        step: f.step,
        evidence: [{ step: f.step, what: f.step === 0 ? "building the runner or starting the clients" : `'${f.label}' never returned`, role: "runner" }],
        message: `${what} did not return to racelab's scheduler within ${f.limit} ms${f.actor ? `: ${f.actor}'s code` : ""} spins or floods the microtask queue, so racelab stopped it (raise --step-timeout if a step really takes that long)`,
      },
    ];
  },
};
