import type { TraceEvent } from "../trace.ts";
import type { Invariant, Violation } from "./Invariant.ts";

/**
 * The code under test stays inside racelab's control: no real timer (a real `setTimeout`,
 * `setInterval` or `setImmediate` fires on the wall clock, outside every schedule, so what it
 * does is neither explored nor replayable). A run that calls one ends at that step.
 */
export const nondeterminism: Invariant = {
  name: "nondeterminism",
  description: "the code under test reaches no uncontrolled source: no real timer (time is the run's virtual clock), no network outside the msw boundary",
  liveness: false,
  check(trace) {
    const e = trace.find((x) => x.type === "uncontrolled");
    if (!e || e.type !== "uncontrolled") return [];
    return [
      {
        invariant: "nondeterminism",
        step: e.step,
        evidence: [{ step: e.step, what: `the code under test called ${e.api === "replay" ? "something racelab does not control" : e.call}`, role: "runner" }],
        message:
          e.api === "replay"
            ? `the same schedule prefix ran differently in two runs: ${e.call}; the code under test keeps state between runs (module-level variables, caches) or reads a source racelab does not control`
            : e.api === "fetch"
            ? `the code under test called ${e.call} at step ${e.step}: the network is outside racelab's control (the msw boundary of --transport http), so the run was stopped there; reach the server and the LLM through the port`
            : `the code under test called a real ${e.api} (${e.call}) at step ${e.step}: it would fire on the wall clock, outside racelab's schedules, so the run was stopped there; use the port's timers (port.timers), or Effect's Clock (Effect.sleep), which racelab runs on virtual time`,
      },
    ];
  },
};

/**
 * The determinism self-check: a schedule run twice with the same choices and the same seed
 * must give the same run. Returns the violation that says where the two runs first differ,
 * or undefined when they are the same.
 */
export function compareRuns(first: RunView, second: RunView, what: string): Violation | undefined {
  const n = Math.min(first.choices.length, second.choices.length);
  for (let i = 0; i < n; i++) {
    if (first.choices[i] !== second.choices[i]) return differ(i + 1, `it released '${first.choices[i]}' the first time and '${second.choices[i]}' the second`, what);
  }
  const events = Math.min(first.trace.length, second.trace.length);
  for (let i = 0; i < events; i++) {
    const a = JSON.stringify(first.trace[i]);
    const b = JSON.stringify(second.trace[i]);
    if (a !== b) return differ(first.trace[i]!.step, `the first time it reported ${brief(a)}, the second ${brief(b)}`, what);
  }
  if (first.choices.length !== second.choices.length) return differ(n + 1, `the first run took ${first.choices.length} steps, the second ${second.choices.length}`, what);
  if (first.trace.length !== second.trace.length) return differ(first.trace[events]?.step ?? second.trace[events]?.step ?? n, "one run reported more events than the other", what);
  const a = [...new Set(first.violations.map((v) => v.invariant))].sort().join(", ");
  const b = [...new Set(second.violations.map((v) => v.invariant))].sort().join(", ");
  if (a !== b) return differ(n, `the first time it violated ${a || "nothing"}, the second ${b || "nothing"}`, what);
  return undefined;
}

/** The parts of a run the self-check compares. */
export interface RunView {
  readonly choices: readonly string[];
  readonly trace: readonly TraceEvent[];
  readonly violations: readonly Violation[];
}

function differ(step: number, how: string, what: string): Violation {
  return {
    invariant: "nondeterminism",
    step,
    message: `${what}, run a second time with the same choices and seed, behaved differently from step ${step} on: ${how}; it reads a source racelab does not control (an I/O result, a global it keeps between runs, a thread), so its verdicts cannot be trusted or replayed`,
  };
}

function brief(json: string): string {
  return json.length > 160 ? `${json.slice(0, 157)}...` : json;
}
