import { describe, expect, it } from "vitest";
import type { RunnerVariant, SessionStatus } from "../../../src/boundaries/port.ts";
import { explore } from "../../../src/harness/explore/explore.ts";
import { InvariantsMap } from "../../../src/harness/invariants/index.ts";
import { resolveInvariants, resolveWorld } from "../../../src/harness/resolve.ts";
import { ScenariosMap } from "../../../src/harness/scenario/builtin/index.ts";
import { random } from "../../../src/harness/scheduler/strategies/random.ts";
import type { TraceEvent } from "../../../src/harness/trace.ts";
import { createSessionRunner } from "../../../src/subjects/runner/createSessionRunner.ts";
import { fixedDesign } from "../../../src/subjects/runner/variants/fixed.ts";
import { RunnersMap } from "../../../src/subjects/runner/variants/index.ts";
import { assistantMsg, at, endOf, expectClean, userMsg } from "./support.ts";

const NAME = "status-read-truthful";
const inv = InvariantsMap[NAME];

/** The fixed design without busy-from-acceptance: every other fix, so only this gap is left. */
const noBusyOnAccept: RunnerVariant = {
  name: "fixed-no-busy-on-accept",
  description: "fixed with busyOnAccept off",
  create: (port) => createSessionRunner(port, { ...fixedDesign, busyOnAccept: false }),
};

/** Explores status-gap with every invariant it checks, stopping at the first failure. */
function exploreGap(runner: RunnerVariant, transport: "inproc" | "http", runs: number) {
  const scenario = ScenariosMap["status-gap"];
  return explore({
    scenario,
    runner,
    world: resolveWorld(scenario, undefined, transport),
    strategy: random({ seed: 1 }),
    invariants: resolveInvariants(scenario),
    runs,
    maxSteps: 1000,
    keepGoing: false,
    concurrency: 8,
  });
}

describe("status-read-truthful over real runs of status-gap", () => {
  it.each(["inproc", "http"] as const)("%s: without busyOnAccept, b reads idle after a's prompt_async returned, and sends again", async (transport) => {
    const result = await exploreGap(noBusyOnAccept, transport, 200);
    const failure = result.failures[0];
    expect(failure, `no schedule of ${result.schedulesRun} failed`).toBeDefined();
    // Every other fix is in: the status gap is the only thing wrong with this design here.
    expect(failure!.violations.map((v) => v.invariant)).toEqual([NAME]);
    const violation = failure!.violations[0]!;
    expect(violation.message).toMatch(
      /^b1 read s1 idle at step (\d+), but a1's prompt_async was accepted \(it returned\) at step (\d+) and message msg_\d+ is not answered yet: b1 sends its prompt_async into a session that already has work$/,
    );
    const trace = failure!.result.trace;
    const read = trace.find((e) => e.type === "client.read");
    expect(read).toMatchObject({ type: "client.read", client: "b", request: "b1", sessionID: "s1", status: "idle", ifStatus: "idle", acts: true, step: violation.step });
    const accepted = trace.findIndex((e) => e.type === "client.return" && e.request === "a1");
    expect(accepted).toBeGreaterThanOrEqual(0);
    expect(accepted).toBeLessThan(trace.indexOf(read!));
    // The read and the send are two points of client b.
    const choices = failure!.result.choices;
    expect(choices.indexOf("b: read s1")).toBeLessThan(choices.indexOf("b: prompt_async s1"));
  });

  it.each(["inproc", "http"] as const)("%s: upstream fails it too", async (transport) => {
    const result = await exploreGap(RunnersMap.upstream, transport, 200);
    expect(result.failures.flatMap((f) => f.violations.map((v) => v.invariant))).toContain(NAME);
  });

  it.each([
    ["inproc", 1000],
    ["http", 150],
  ] as const)("%s: fixed (busy from acceptance) passes status-gap (%i schedules)", async (transport, runs) => {
    expectClean(await exploreGap(RunnersMap.fixed, transport, runs), runs);
  });
});

const asyncCall = (step: number, request: string, sessionID = "s1"): TraceEvent =>
  at(step, { type: "client.call", client: request.replace(/\d+$/, ""), request, action: "prompt_async", sessionID });
const returns = (step: number, request: string): TraceEvent => at(step, { type: "client.return", request });
const read = (step: number, status: SessionStatus, sessionID = "s1", acts = status === "idle"): TraceEvent =>
  at(step, { type: "client.read", client: "b", request: "b1", action: "prompt_async", sessionID, status, ifStatus: "idle", acts });
const user = (step: number, id: string, request: string): TraceEvent => at(step, { type: "message", message: userMsg(id, request) });
const llm = (step: number, assistantID: string, seen: string[]): TraceEvent =>
  at(step, { type: "llm.call", sessionID: "s1", runID: "s1.run1", assistantID, seen: seen.map((id) => ({ id, parts: 1 })), reply: "text" });
const answer = (step: number, id: string, parentID: string): TraceEvent => at(step, { type: "message", message: assistantMsg(id, parentID, "s1.run1") });

describe("status-read-truthful over hand-built traces", () => {
  const accepted = [asyncCall(1, "a1"), returns(1, "a1"), user(2, "m1", "a1")];

  it("an idle read while an accepted prompt_async is not answered is reported, once, at the read", () => {
    const trace = [...accepted, read(3, "idle"), read(4, "idle")];
    expect(inv.check(trace, endOf(4))).toMatchObject([
      {
        invariant: NAME,
        step: 3,
        sessionID: "s1",
        message: "b1 read s1 idle at step 3, but a1's prompt_async was accepted (it returned) at step 1 and message m1 is not answered yet: b1 sends its prompt_async into a session that already has work",
      },
    ]);
    // A read that decides not to act says only what it read.
    expect(inv.check([...accepted, read(3, "idle", "s1", false)], endOf(3))[0]?.message).toBe(
      "b1 read s1 idle at step 3, but a1's prompt_async was accepted (it returned) at step 1 and message m1 is not answered yet",
    );
  });

  it("a sync prompt counts from its call (in flight), before its message is stored", () => {
    const trace = [at(1, { type: "client.call", client: "a", request: "a1", action: "prompt", sessionID: "s1" }), read(2, "idle")];
    expect(inv.check(trace, endOf(2))[0]?.message).toBe(
      "b1 read s1 idle at step 2, but a1's prompt has been in flight since step 1 and its message is not answered yet: b1 sends its prompt_async into a session that already has work",
    );
  });

  it("a prompt_async counts from its return, not from its call", () => {
    const trace = [asyncCall(1, "a1"), read(1, "idle"), returns(1, "a1")];
    expect(inv.check(trace, endOf(1))).toEqual([]);
  });

  it("idle after the answer is true; busy is never a lie; another session's prompt does not count", () => {
    const answered = [...accepted, llm(3, "x1", ["m1"]), answer(4, "x1", "m1"), read(5, "idle")];
    expect(inv.check(answered, endOf(5))).toEqual([]);
    expect(inv.check([...accepted, read(3, "busy")], endOf(3))).toEqual([]);
    expect(inv.check([...accepted, read(3, "idle", "s2")], endOf(3))).toEqual([]);
  });

  it("an answer that did not read the message whole, or finished after the read, does not settle it", () => {
    const unread = [...accepted, llm(3, "x1", []), answer(4, "x1", "m1"), read(5, "idle")];
    expect(inv.check(unread, endOf(5))).toHaveLength(1);
    const late = [...accepted, llm(3, "x1", ["m1"]), read(4, "idle"), answer(5, "x1", "m1")];
    expect(inv.check(late, endOf(5))).toHaveLength(1);
  });

  it("noReply prompts, prompts a cancel was sent after, and failed calls are not counted", () => {
    const noReply = [at(1, { type: "client.call", client: "a", request: "a1", action: "prompt_async", sessionID: "s1", noReply: true }), returns(1, "a1"), read(2, "idle")];
    expect(inv.check(noReply, endOf(2))).toEqual([]);
    const cancel = at(2, { type: "client.call", client: "c", request: "c1", action: "cancel", sessionID: "s1" });
    expect(inv.check([...accepted, cancel, read(3, "idle")], endOf(3))).toEqual([]);
    // The runner's own cancel of the session (a parent's cancel reaching a child) counts too.
    const treeCancel = at(2, { type: "cancel.start", sessionID: "s1", request: "p1.s1" });
    expect(inv.check([...accepted, treeCancel, read(3, "idle")], endOf(3))).toEqual([]);
    // A cancel sent after the read, or before the prompt, excuses nothing.
    expect(inv.check([...accepted, read(3, "idle"), { ...cancel, step: 4 }], endOf(4))).toHaveLength(1);
    expect(inv.check([{ ...cancel, step: 0 }, ...accepted, read(3, "idle")], endOf(3))).toHaveLength(1);
    const failed = [asyncCall(1, "a1"), returns(1, "a1"), at(2, { type: "client.error", request: "a1", error: "boom" }), read(3, "idle")];
    expect(inv.check(failed, endOf(3))).toEqual([]);
  });

  it("a session the run command's dispose began to cancel is not counted", () => {
    const runners = at(1, { type: "runners.set", sessionID: "s1", runner: "s1/r1" });
    const exit = at(3, { type: "run.exit", sessionID: "s1", observer: "fixed" });
    expect(inv.check([runners, ...accepted, exit, read(4, "idle")], endOf(4))).toEqual([]);
    expect(inv.check([runners, ...accepted, read(3, "idle"), { ...exit, step: 4 }], endOf(4))).toHaveLength(1);
  });
});
