import { describe, expect, it } from "vitest";
import type { RunnerVariant } from "../../../src/boundaries/port.ts";
import { runSchedule } from "../../../src/harness/explore/runSchedule.ts";
import { renderTimeline } from "../../../src/harness/report/timeline.ts";
import { laneModel } from "../../../src/harness/reporters/lanes.ts";
import { resolveInvariants, resolveWorld } from "../../../src/harness/resolve.ts";
import { malformedEvent } from "../../../src/harness/scenario/checkEvent.ts";
import { defineScenario, parseScenario } from "../../../src/harness/scenario/parseScenario.ts";
import type { ScheduleChooser } from "../../../src/harness/scheduler/strategies/Strategy.ts";
import { RunnersMap } from "../../../src/subjects/runner/variants/index.ts";

/** a sends; b sends only if s1 reads idle. */
const scenario = defineScenario({
  name: "read-then-send",
  sessions: ["s1"],
  clients: [
    { name: "a", actions: [{ kind: "prompt_async", session: "s1", parts: ["first"] }] },
    { name: "b", actions: [{ kind: "prompt_async", session: "s1", parts: ["second, if idle"], ifStatus: "idle" }] },
  ],
});

/** Releases the `preferred` labels first, in order, as each becomes ready; otherwise the oldest ready point. */
function preferring(...preferred: string[]): ScheduleChooser {
  const queue = [...preferred];
  return {
    choose(ready) {
      const i = queue.length > 0 ? ready.findIndex((p) => p.label === queue[0]) : -1;
      if (i < 0) return 0;
      queue.shift();
      return i;
    },
  };
}

function run(runner: RunnerVariant, transport: "inproc" | "http", chooser: ScheduleChooser) {
  return runSchedule({ scenario, runner, invariants: resolveInvariants(scenario), chooser, maxSteps: 1000, world: resolveWorld(scenario, undefined, transport) });
}

const timelineOf = (r: Awaited<ReturnType<typeof run>>) => renderTimeline({ choices: r.choices, trace: r.trace, violations: r.violations });

describe.each(["inproc", "http"] as const)("ifStatus over %s: read at one point, act at the next", (transport) => {
  it("a read that says busy skips the action, and the trace says so", async () => {
    // fixed: a's prompt_async is accepted and s1 reads busy from that very step.
    const r = await run(RunnersMap.fixed, transport, preferring("a: prompt_async s1", "b: read s1"));
    expect(r.violations).toEqual([]);
    expect(r.trace.find((e) => e.type === "client.read")).toMatchObject({ client: "b", request: "b1", action: "prompt_async", sessionID: "s1", status: "busy", ifStatus: "idle", acts: false });
    expect(r.trace.some((e) => e.type === "client.call" && e.request === "b1")).toBe(false);
    expect(r.choices).toContain("b: read s1");
    expect(r.choices).not.toContain("b: prompt_async s1");
    expect(timelineOf(r)).toMatch(/ b: read s1 +b1: read s1 = busy -> skips prompt_async \(only if idle\)$/m);
    const model = laneModel({ scenario, choices: r.choices, trace: r.trace, violations: r.violations });
    expect(model.steps.find((s) => s.label === "b: read s1")?.lane).toBe("b");
  });

  it("a read that says idle sends at the client's next point; anything may run in between", async () => {
    const r = await run(RunnersMap.fixed, transport, preferring("b: read s1", "a: prompt_async s1", "b: prompt_async s1"));
    expect(r.trace.find((e) => e.type === "client.read")).toMatchObject({ status: "idle", acts: true });
    const [readAt, aAt, sendAt] = ["b: read s1", "a: prompt_async s1", "b: prompt_async s1"].map((l) => r.choices.indexOf(l));
    expect(readAt).toBe(0);
    expect(aAt).toBe(1);
    expect(sendAt).toBe(2);
    // Read before anything was accepted: idle was the truth when b read it.
    expect(r.violations).toEqual([]);
    expect(timelineOf(r)).toMatch(/ b: read s1 +b1: read s1 = idle -> prompt_async$/m);
  });

  it("a runner without statuses() is a runner-error finding, not an empty map that reads idle", async () => {
    const blind: RunnerVariant = {
      name: "no-statuses",
      description: "fixed without the status API",
      create: (port) => {
        const { statuses: _statuses, ...rest } = RunnersMap.fixed.create(port);
        return rest;
      },
    };
    const r = await run(blind, transport, preferring("b: read s1"));
    expect(r.violations.map((v) => v.invariant)).toContain("runner-error");
    expect(r.trace.find((e) => e.type === "client.error")).toMatchObject({
      request: "b1",
      error: "runner 'no-statuses' does not implement statuses, which 'b: prompt_async s1' needs for its ifStatus read",
    });
    expect(r.choices).not.toContain("b: prompt_async s1");
  });
});

describe("client.read is racelab's event", () => {
  it("a runner that reports one is told so (runner-error), like any malformed event", () => {
    const forged = { type: "client.read", client: "b", request: "b1", action: "prompt_async", sessionID: "s1", status: "idle", ifStatus: "idle", acts: true };
    expect(malformedEvent(forged)).toBe("'client.read' is an event racelab records itself, not one a runner reports (the port's RunnerEvent lists the types)");
    expect(malformedEvent({ type: "client.call" })).toMatch(/^'client\.call' is an event racelab records itself/);
  });

  it("ifStatus takes a status, and says what is wrong otherwise", () => {
    const bad = { ...scenario, clients: [scenario.clients[0]!, { name: "b", actions: [{ kind: "prompt_async", session: "s1", parts: ["x"], ifStatus: "asleep" }] }] };
    expect(() => parseScenario(bad)).toThrow(/^scenario is malformed: clients\.1\.actions\.0\.ifStatus: /);
    const cancelIfBusy = { ...scenario, clients: [scenario.clients[0]!, { name: "b", actions: [{ kind: "cancel", session: "s1", ifStatus: "busy" }] }] };
    expect(parseScenario(cancelIfBusy).clients[1]!.actions[0]).toEqual({ kind: "cancel", session: "s1", ifStatus: "busy" });
  });
});
