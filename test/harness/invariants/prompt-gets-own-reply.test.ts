import { describe, expect, it } from "vitest";
import { InvariantsMap } from "../../../src/harness/invariants/index.ts";
import type { MessageInfo, RunnerVariant } from "../../../src/boundaries/port.ts";
import type { TraceEvent } from "../../../src/harness/trace.ts";
import { assistantMsg, at, describeAll, endOf, expectClean, exploreOne, firstFailure, runOne, toy, toyScenarios, userMsg } from "./support.ts";

const inv = InvariantsMap["prompt-gets-own-reply"];
const NAME = "prompt-gets-own-reply";

/** Answers its prompt with the user message itself instead of the reply. */
const echoes: RunnerVariant = {
  name: "echoes",
  description: "returns the stored user message instead of the reply",
  create(port) {
    const base = toy.create(port);
    return {
      ...base,
      async prompt(input) {
        const result = await base.prompt(input);
        const parent = result.message?.parentID;
        return parent ? { message: userMsg(parent, input.request, { sessionID: input.sessionID, parts: input.parts.length }) } : result;
      },
    };
  },
};

describe("prompt-gets-own-reply over real runs", () => {
  it("upstream returns a reply to another message to a joined prompt in idle-prompt-async (seed 1)", async () => {
    const result = await exploreOne({ scenario: "idle-prompt-async", runner: "upstream", invariant: NAME, seed: 1, runs: 100 });
    const { violation, trace } = firstFailure(result, NAME);
    expect(violation.sessionID).toBe("s1");
    const m = /^prompt (a1) returned (?:assistant (\S+)(?: \(a reply to (\S+)\))?|nothing|user (\S+)) at step (\d+), (?:not a reply that read its message|a reply that never read its message|which read its message|a reply to a message before its own) (\S+?)(?: torn: \d+ of its \d+ parts? written \(a torn read\))?(?:: .*)?$/.exec(violation.message);
    expect(m, violation.message).not.toBeNull();
    const [, request, assistant, , , step, own] = m!;
    expect(violation.step).toBe(Number(step));
    const ret = trace.find((e) => e.type === "client.return" && e.request === request);
    expect(ret?.step).toBe(Number(step));
    if (assistant) expect(ret?.type === "client.return" && ret.message?.id).toBe(assistant);
    expect(trace.some((e) => e.type === "message" && e.message.id === own && e.message.request === request)).toBe(true);
  });

  it("upstream returns the wrong reply in busy-prompt-async (seed 1)", async () => {
    const result = await exploreOne({ scenario: "busy-prompt-async", runner: "upstream", invariant: NAME, seed: 1, runs: 400 });
    const { violation } = firstFailure(result, NAME);
    expect(violation.message).toMatch(/^prompt a1 returned .* at step \d+, .*its (?:own |message )msg_\S+/);
  });

  it.each(["idle-prompt-async", "busy-prompt-async", "client-message-id", "torn-read"] as const)(
    "the fixed runner returns each prompt its own reply in %s (seed 1, 300 schedules)",
    async (scenario) => {
      expectClean(await exploreOne({ scenario, runner: "fixed", invariant: NAME, seed: 1, runs: 300 }), 300);
    },
  );

  it("a tiny runner that returns the user message instead of the reply is caught; the correct one is not (seed 1)", async () => {
    const bad = await runOne({ scenario: toyScenarios.onePrompt, runner: echoes, invariants: [NAME] });
    expect(bad.violations).toMatchObject([
      { invariant: NAME, step: bad.end.steps, sessionID: "s1", message: `prompt a1 returned user u_a1 at step ${bad.end.steps}, not a reply that read its message u_a1` },
    ]);
    const good = await runOne({ scenario: toyScenarios.onePrompt, runner: toy, invariants: [NAME] });
    expect(good.violations, describeAll(good.violations)).toEqual([]);
  });
});

describe("prompt-gets-own-reply over hand-built traces", () => {
  const u1 = userMsg("m1", "a1");
  const u2 = userMsg("m2", "b1");
  const head: TraceEvent[] = [
    at(1, { type: "client.call", client: "a", request: "a1", action: "prompt", sessionID: "s1" }),
    at(1, { type: "message", message: u1 }),
    at(2, { type: "client.call", client: "b", request: "b1", action: "prompt_async", sessionID: "s1" }),
    at(2, { type: "message", message: u2 }),
  ];
  const saw = (assistantID: string, seen: { id: string; parts: number }[]): TraceEvent =>
    at(3, { type: "llm.call", sessionID: "s1", runID: "run1", assistantID, seen, reply: "text" });
  const returns = (step: number, message?: MessageInfo): TraceEvent => at(step, { type: "client.return", request: "a1", ...(message && { message }) });

  it("a reply to its own message that read it whole is fine", () => {
    const reply = assistantMsg("x1", "m1", "run1");
    expect(inv.check([...head, saw("x1", [{ id: "m1", parts: 1 }]), at(4, { type: "message", message: reply }), returns(5, reply)], endOf(5))).toEqual([]);
  });

  it("a reply to a later message that read its own whole covers it; one that did not read it does not", () => {
    const reply = assistantMsg("x1", "m2", "run1");
    const ok = [...head, saw("x1", [{ id: "m1", parts: 1 }, { id: "m2", parts: 1 }]), at(4, { type: "message", message: reply }), returns(5, reply)];
    expect(inv.check(ok, endOf(5))).toEqual([]);
    const bad = [...head, saw("x1", [{ id: "m2", parts: 1 }]), at(4, { type: "message", message: reply }), returns(5, reply)];
    expect(inv.check(bad, endOf(5))).toMatchObject([
      { invariant: NAME, step: 5, sessionID: "s1", message: "prompt a1 returned assistant x1 (a reply to m2) at step 5, a reply that never read its message m1" },
    ]);
  });

  it("a reply that read its message torn does not count", () => {
    const reply = assistantMsg("x1", "m1", "run1");
    const torn = [...head, saw("x1", [{ id: "m1", parts: 0 }]), at(4, { type: "message", message: reply }), returns(5, reply)];
    expect(inv.check(torn, endOf(5)).map((v) => v.message)).toEqual(["prompt a1 returned assistant x1 (a reply to m1) at step 5, which read its message m1 torn: 0 of its 1 part written (a torn read)"]);
  });

  it("returning nothing, or for a message never stored, is reported", () => {
    expect(inv.check([...head, returns(5)], endOf(5))[0]?.message).toBe("prompt a1 returned nothing at step 5, not a reply that read its message m1");
    const unstored = [head[0]!, returns(5)];
    expect(inv.check(unstored, endOf(5))[0]?.message).toBe("prompt a1 returned nothing at step 5, not a reply that read its message (never stored)");
  });

  it("prompt_async, noReply prompts and prompts cancelled after they were sent are exempt; a cancel before is not", () => {
    const asyncReturn = at(5, { type: "client.return", request: "b1" });
    expect(inv.check([...head, asyncReturn], endOf(5))).toEqual([]);
    const noReply = [at(1, { type: "client.call", client: "a", request: "a1", action: "prompt", sessionID: "s1", noReply: true }), returns(5, u1)];
    expect(inv.check(noReply, endOf(5))).toEqual([]);
    const cancelAfter = at(4, { type: "client.call", client: "c", request: "c1", action: "cancel", sessionID: "s1" });
    expect(inv.check([...head, cancelAfter, returns(5)], endOf(5))).toEqual([]);
    const cancelBefore = at(0, { type: "client.call", client: "c", request: "c1", action: "cancel", sessionID: "s1" });
    expect(inv.check([cancelBefore, ...head, returns(5)], endOf(5))).toHaveLength(1);
  });
});

describe("prompt-gets-own-reply and later cancels", () => {
  const trace = (cancelStep: number): TraceEvent[] => [
    at(1, { type: "client.call", client: "b", request: "b1", action: "prompt_async", sessionID: "s1" }),
    at(2, { type: "message", message: userMsg("m2", "b1", { parts: 1 }) }),
    at(3, { type: "client.call", client: "a", request: "a1", action: "prompt", sessionID: "s1" }),
    at(3, { type: "message", message: userMsg("m1", "a1", { parts: 1 }) }),
    at(4, { type: "llm.call", sessionID: "s1", runID: "s1.run1", assistantID: "x2", seen: [{ id: "m2", parts: 1 }], reply: "text" }),
    at(5, { type: "message", message: assistantMsg("x2", "m2", "s1.run1", { parts: 1, finish: "stop" }) }),
    at(5, { type: "client.return", request: "a1", message: assistantMsg("x2", "m2", "s1.run1", { parts: 1, finish: "stop" }) }),
    at(cancelStep, { type: "client.call", client: "c", request: "c1", action: "cancel", sessionID: "s1" }),
  ];

  it("a cancel issued after the prompt returned does not excuse a wrong reply", () => {
    expect(inv.check(trace(6), endOf(6)).map((v) => v.invariant)).toEqual([NAME]);
  });

  it("a cancel issued before the prompt returned excuses it", () => {
    const t = trace(4);
    t.sort((a, b) => a.step - b.step);
    expect(inv.check(t, endOf(5))).toEqual([]);
  });
});
