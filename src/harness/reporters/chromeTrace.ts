import type { FailureReport } from "./FailureReport.ts";
import { laneModel } from "./lanes.ts";

/** Width of one step on the trace's time axis, in microseconds (the format's unit). */
const STEP_US = 1000;
const PID = 1;

/**
 * A failure in the Chrome trace-event format (the JSON Object Format of "Trace Event Format",
 * Google), which Perfetto (ui.perfetto.dev) and chrome://tracing open: one thread per lane,
 * named by `M` metadata events and sorted in lane order; each step a complete event
 * (`ph: "X"`) on its lane's thread with the step's events in `args`; each violation a
 * global instant event (`ph: "i"`, `s: "g"`) in the middle of its step, its causal chain in
 * its `args` and as flow arrows (`ph: "s"` / `"f"`) from each step of the chain to the next.
 *
 * Time is virtual: step n spans [n * 1000 µs, (n + 1) * 1000 µs), so the file is the same
 * for the same failure (never the wall clock). Step 0 (before the first release) holds what
 * happened before it; a violation past the last step sits one step after it.
 */
export function chromeTrace(report: FailureReport): object {
  const model = laneModel(report);
  const tid = new Map(model.lanes.map((lane, i) => [lane.name, i + 1]));
  const traceEvents: object[] = [
    { name: "process_name", ph: "M", pid: PID, tid: 0, args: { name: `racelab ${report.scenario.name} · ${report.runner}` } },
  ];
  // Thread 0 holds what belongs to no lane (before the first step, after the last); named only when used.
  const outside = model.before.events.length > 0 || model.after.events.length > 0 || report.violations.some((v) => v.step <= 0 || v.step > report.choices.length);
  if (outside) {
    traceEvents.push(
      { name: "thread_name", ph: "M", pid: PID, tid: 0, args: { name: "(outside steps)" } },
      { name: "thread_sort_index", ph: "M", pid: PID, tid: 0, args: { sort_index: 0 } },
    );
  }
  model.lanes.forEach((lane, i) => {
    traceEvents.push(
      { name: "thread_name", ph: "M", pid: PID, tid: i + 1, args: { name: lane.name } },
      { name: "thread_sort_index", ph: "M", pid: PID, tid: i + 1, args: { sort_index: i + 1 } },
    );
  });
  if (model.before.events.length > 0) {
    traceEvents.push({ name: "before step 1", cat: "run", ph: "X", ts: 0, dur: STEP_US, pid: PID, tid: 0, args: { step: 0, events: model.before.events } });
  }
  for (const s of model.steps) {
    const lane = model.lanes.find((l) => l.name === s.lane);
    traceEvents.push({
      name: s.label,
      cat: lane?.kind ?? "actor",
      ph: "X",
      ts: s.step * STEP_US,
      dur: STEP_US,
      pid: PID,
      tid: tid.get(s.lane) ?? 0,
      args: { step: s.step, lane: s.lane, events: s.events, ...(s.causes.length > 0 && { cause: s.causes.map((c) => `${c.invariant} ${c.position}/${c.of}: ${c.what}`) }) },
    });
  }
  const last = report.choices.length;
  if (model.after.events.length > 0) {
    traceEvents.push({ name: "after the last step", cat: "run", ph: "X", ts: (last + 1) * STEP_US, dur: STEP_US, pid: PID, tid: 0, args: { step: last + 1, events: model.after.events } });
  }
  for (const v of report.violations) {
    // Past the last step: one step after it, so it is never drawn inside an unrelated step.
    const at = v.step > last ? last + 1 : Math.max(0, v.step);
    const lane = model.steps[at - 1]?.lane;
    traceEvents.push({
      name: `✗ ${v.invariant}`,
      cat: "violation",
      ph: "i",
      s: "g",
      ts: at * STEP_US + STEP_US / 2,
      pid: PID,
      tid: lane !== undefined ? (tid.get(lane) ?? 0) : 0,
      args: { invariant: v.invariant, message: v.message, step: v.step, ...(v.cause && { cause: v.cause.text }) },
    });
  }
  // One flow per link of each chain: an arrow from the middle of one step to the middle of the next.
  let flow = 0;
  for (const v of report.violations) {
    const chain = (v.cause?.steps ?? []).filter((c) => c.step >= 1 && c.step <= last);
    for (let i = 1; i < chain.length; i++) {
      flow += 1;
      const [a, b] = [chain[i - 1]!, chain[i]!];
      const tidOf = (step: number) => tid.get(model.steps[step - 1]!.lane) ?? 0;
      traceEvents.push(
        { name: `cause of ${v.invariant}`, cat: "cause", ph: "s", id: flow, ts: a.step * STEP_US + STEP_US / 2, pid: PID, tid: tidOf(a.step) },
        { name: `cause of ${v.invariant}`, cat: "cause", ph: "f", bp: "e", id: flow, ts: b.step * STEP_US + STEP_US / 2, pid: PID, tid: tidOf(b.step) },
      );
    }
  }
  return {
    traceEvents,
    displayTimeUnit: "ms",
    otherData: {
      name: report.name,
      scenario: report.scenario.name,
      runner: report.runner,
      ...(report.observer !== undefined && { observer: report.observer }),
      ...(report.transport !== undefined && { transport: report.transport }),
      steps: last,
      stepMicroseconds: STEP_US,
      lanes: model.lanes.map((l) => l.name).join(", "),
      violations: report.violations.map((v) => `${v.invariant} at step ${v.step}: ${v.message}${v.cause ? ` (cause: ${v.cause.text})` : ""}`).join("\n"),
      replay: report.replay,
    },
  };
}
