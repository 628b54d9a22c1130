import type { Invariant } from "./Invariant.ts";

/** The code under test stays within the sandbox's heap cap; a run that outgrows it is stopped at its step. */
export const runnerOom: Invariant = {
  name: "runner-oom",
  description: "the code under test stays within the sandbox's heap cap (--memory-limit)",
  liveness: false,
  check(_trace, end) {
    const f = end.fault;
    if (f?.kind !== "oom") return [];
    const what = f.step === 0 ? "building the runner (create) or starting the clients" : `step ${f.step} (${f.label})`;
    return [
      {
        invariant: "runner-oom",
        step: f.step,
        evidence: [{ step: f.step, what: f.step === 0 ? "building the runner or starting the clients" : `'${f.label}' never returned`, role: "runner" }],
        message: `${what} grew the heap past ${f.limit} MiB${f.actor ? ` in ${f.actor}'s code` : ""}, so racelab stopped the run (raise --memory-limit if it really needs more)`,
      },
    ];
  },
};
