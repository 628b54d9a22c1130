import { describe, expect, it } from "vitest";
import { chromeTrace } from "../../../src/harness/reporters/chromeTrace.ts";
import type { FailureReport } from "../../../src/harness/reporters/FailureReport.ts";
import { laneModel } from "../../../src/harness/reporters/lanes.ts";
import { evilReport, realFailure } from "./support.ts";

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts?: number;
  dur?: number;
  s?: string;
  cat?: string;
  args?: Record<string, unknown>;
}
interface TraceFile {
  traceEvents: TraceEvent[];
  displayTimeUnit: string;
  otherData: Record<string, unknown>;
}

/** The trace as a viewer reads it: through JSON. */
const parse = (report: FailureReport): TraceFile => JSON.parse(JSON.stringify(chromeTrace(report))) as TraceFile;

describe("chromeTrace on sync-child, upstream, main-idle observer, seed 1", () => {
  it("is a JSON Object Format trace: traceEvents, displayTimeUnit ms, otherData naming the run", async () => {
    const report = await realFailure({ scenario: "sync-child", runner: "upstream", observer: "main-idle" });
    const trace = parse(report);
    expect(trace.displayTimeUnit).toBe("ms");
    expect(Array.isArray(trace.traceEvents)).toBe(true);
    expect(trace.otherData).toMatchObject({ scenario: "sync-child", runner: "upstream", observer: "main-idle", replay: report.replay, steps: report.choices.length });
    for (const e of trace.traceEvents) {
      expect(["M", "X", "i", "s", "f"]).toContain(e.ph);
      expect(Number.isInteger(e.pid) && Number.isInteger(e.tid)).toBe(true);
      if (e.ph !== "M") expect(Number.isFinite(e.ts)).toBe(true);
    }
  });

  it("names one thread per lane, in lane order", async () => {
    const report = await realFailure({ scenario: "sync-child", runner: "upstream", observer: "main-idle" });
    const trace = parse(report);
    const threads = trace.traceEvents.filter((e) => e.ph === "M" && e.name === "thread_name" && e.tid > 0);
    expect(threads.map((e) => e.args!["name"])).toEqual(laneModel(report).lanes.map((l) => l.name));
    expect(threads.map((e) => e.tid)).toEqual(threads.map((_, i) => i + 1));
    expect(trace.traceEvents.some((e) => e.ph === "M" && e.name === "process_name")).toBe(true);
  });

  it("makes each step a complete event on its lane's thread at step × 1000 µs, with the step's events", async () => {
    const report = await realFailure({ scenario: "sync-child", runner: "upstream", observer: "main-idle" });
    const trace = parse(report);
    const model = laneModel(report);
    const tidOf = new Map(trace.traceEvents.filter((e) => e.name === "thread_name").map((e) => [e.args!["name"], e.tid]));
    const steps = trace.traceEvents.filter((e) => e.ph === "X");
    expect(steps.length).toBe(report.choices.length);
    steps.forEach((e, i) => {
      const s = model.steps[i]!;
      expect(e).toMatchObject({ name: s.label, ts: s.step * 1000, dur: 1000, tid: tidOf.get(s.lane), args: { step: s.step, lane: s.lane, events: s.events } });
    });
    expect(steps.find((e) => e.name === "main.run1 llm")!.tid).toBe(tidOf.get("LLM"));
  });

  it("draws each violation's causal chain as flow arrows from one step of the chain to the next, and puts it in the args", async () => {
    const report = await realFailure({ scenario: "idle-prompt-async", runner: "upstream" });
    const v = report.violations[0]!;
    expect(v.cause, "the lost wake-up has a causal chain").toBeDefined();
    const events = parse(report).traceEvents;
    const starts = events.filter((e) => e.ph === "s");
    const ends = events.filter((e) => e.ph === "f");
    const chain = v.cause!.steps.map((c) => c.step);
    expect(starts.map((e) => e.ts! / 1000 - 0.5)).toEqual(chain.slice(0, -1));
    expect(ends.map((e) => e.ts! / 1000 - 0.5)).toEqual(chain.slice(1));
    const model = laneModel(report);
    const tidOf = new Map(events.filter((e) => e.name === "thread_name").map((e) => [e.args!["name"], e.tid]));
    for (const f of [...starts, ...ends]) expect(f.tid).toBe(tidOf.get(model.steps[f.ts! / 1000 - 1.5]!.lane));
    expect(events.find((e) => e.ph === "i")!.args).toMatchObject({ cause: v.cause!.text });
    for (const step of chain) expect(events.find((e) => e.ph === "X" && e.ts === step * 1000)!.args!["cause"]).toBeDefined();
  });

  it("marks each violation as a global instant event inside its step", async () => {
    const report = await realFailure({ scenario: "sync-child", runner: "upstream", observer: "main-idle" });
    const instants = parse(report).traceEvents.filter((e) => e.ph === "i");
    expect(instants.length).toBe(report.violations.length);
    report.violations.forEach((v, i) => {
      const e = instants[i]!;
      expect(e).toMatchObject({ name: `✗ ${v.invariant}`, s: "g", cat: "violation", args: { invariant: v.invariant, message: v.message, step: v.step } });
      expect(e.ts).toBeGreaterThan(v.step * 1000);
      expect(e.ts).toBeLessThan((v.step + 1) * 1000);
    });
  });

  it("is deterministic: the same report gives the same JSON", async () => {
    const report = await realFailure({ scenario: "sync-child", runner: "upstream", observer: "main-idle" });
    expect(JSON.stringify(chromeTrace(report))).toBe(JSON.stringify(chromeTrace(report)));
  });
});

describe("chromeTrace edge cases", () => {
  it("puts violations at step 0 and past the last step on thread 0, before step 1 and after the last", () => {
    const report = evilReport();
    const last = report.choices.length;
    const trace = parse({ ...report, violations: [{ invariant: "start", message: "m", step: 0 }, { invariant: "end", message: "m", step: last + 4 }] });
    const [start, end] = trace.traceEvents.filter((e) => e.ph === "i");
    expect(start).toMatchObject({ tid: 0, ts: 500 });
    expect(end).toMatchObject({ tid: 0, ts: (last + 1) * 1000 + 500, args: { step: last + 4 } });
    expect(trace.traceEvents.some((e) => e.ph === "M" && e.name === "thread_name" && e.tid === 0)).toBe(true);
  });

  it("carries markup in labels as plain JSON strings", () => {
    const text = JSON.stringify(chromeTrace(evilReport()));
    expect(JSON.parse(text)).toBeTruthy();
    expect(text).toContain("a1 write user info <script>alert(1)</script>");
  });
});
