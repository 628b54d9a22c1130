import { describe, expect, it } from "vitest";
import { InvariantsMap } from "../../../src/harness/invariants/index.ts";
import type { RunnerVariant } from "../../../src/boundaries/port.ts";
import type { TraceEvent } from "../../../src/harness/trace.ts";
import { assistantMsg, at, endOf, expectClean, exploreOne, firstFailure, runOne, toy, toyScenarios, userMsg, of } from "./support.ts";

const inv = InvariantsMap["every-message-answered"];
const NAME = "every-message-answered";

/** The user message the violation names, checked against the trace. */
function namedUser(trace: readonly TraceEvent[], message: string) {
  const id = /^message (\S+) \(request (\w+), (prompt|prompt_async)\) in (\S+),/.exec(message);
  expect(id, message).not.toBeNull();
  const [, messageID, request, , sessionID] = id!;
  const stored = trace.find((e) => e.type === "message" && e.message.id === messageID);
  expect(stored?.type === "message" && stored.message.role === "user" && stored.message.request === request).toBe(true);
  expect(stored?.type === "message" && stored.message.sessionID).toBe(sessionID);
  return { messageID: messageID!, request: request!, sessionID: sessionID! };
}

describe("every-message-answered over real runs", () => {
  it("upstream loses the prompt_async message in idle-prompt-async (seed 1)", async () => {
    const result = await exploreOne({ scenario: "idle-prompt-async", runner: "upstream", invariant: NAME, seed: 1, runs: 50 });
    const { violation, trace, end } = firstFailure(result, NAME);
    expect(violation.invariant).toBe(NAME);
    expect(violation.sessionID).toBe("s1");
    expect(violation.step).toBe(end.steps);
    const named = namedUser(trace, violation.message);
    expect(named).toMatchObject({ request: "b1", sessionID: "s1" });
    // The explanation names the run that read it torn or the run its prompt joined.
    expect(violation.message).toMatch(/s1\.run\d+ .*\((torn read|lost wake-up)\)$/);
  });

  it("upstream loses a joined prompt_async to a lost wake-up in busy-prompt-async (seed 1)", async () => {
    const result = await exploreOne({ scenario: "busy-prompt-async", runner: "upstream", invariant: NAME, seed: 1, runs: 400 });
    const { violation, trace } = firstFailure(result, NAME);
    const named = namedUser(trace, violation.message);
    expect(named.request).toBe("b1");
    const joined = /its prompt joined (s1\.run\d+) at step (\d+), which exited at step (\d+) without reading it \(lost wake-up\)$/.exec(violation.message);
    expect(joined, violation.message).not.toBeNull();
    expect(trace.some((e) => e.type === "wait.start" && e.waiter === "b1" && e.runID === joined![1])).toBe(true);
  });

  it("upstream answers a torn read in torn-read (seed 1)", async () => {
    const result = await exploreOne({ scenario: "torn-read", runner: "upstream", invariant: NAME, seed: 1, runs: 50 });
    const { violation, trace } = firstFailure(result, NAME);
    namedUser(trace, violation.message);
    expect(violation.message).toMatch(/s1\.run\d+ read it at step \d+ with [0-2] of 3 parts and no step read it whole \(torn read\)$/);
  });

  it.each(["idle-prompt-async", "busy-prompt-async", "torn-read", "client-message-id"] as const)(
    "the fixed runner answers every message in %s (seed 1, 300 schedules)",
    async (scenario) => {
      expectClean(await exploreOne({ scenario, runner: "fixed", invariant: NAME, seed: 1, runs: 300 }), 300);
    },
  );

  it("a tiny correct runner answers its prompts", async () => {
    for (const scenario of Object.values(toyScenarios)) {
      const run = await runOne({ scenario, runner: toy, invariants: [NAME] });
      expect(run.end.atRest).toBe(true);
      expect(run.violations).toEqual([]);
    }
  });

  it("a runner that stores the message but never starts a run is caught; the message is named", async () => {
    const silent: RunnerVariant = {
      name: "never-runs",
      description: "stores the user message and returns",
      create: (port) => ({
        ...toy.create(port),
        async prompt(input) {
          await port.point(`${input.request} write user`);
          const message = userMsg(`u_${input.request}`, input.request, { sessionID: input.sessionID });
          port.trace({ type: "message", message });
          return { message };
        },
      }),
    };
    const bad = await runOne({ scenario: toyScenarios.onePrompt, runner: silent, invariants: [NAME] });
    expect(of(bad.violations, NAME)).toMatchObject([
      {
        invariant: NAME,
        step: bad.end.steps,
        sessionID: "s1",
        message: "message u_a1 (request a1, prompt) in s1, stored at step 2, was never answered: no run ever read it",
      },
    ]);
  });
});

describe("every-message-answered over hand-built traces", () => {
  const u1 = userMsg("m1", "a1");
  const u2 = userMsg("m2", "b1");
  const calls = [
    at(1, { type: "client.call", client: "a", request: "a1", action: "prompt_async", sessionID: "s1" }),
    at(2, { type: "message", message: u1 }),
    at(3, { type: "client.call", client: "b", request: "b1", action: "prompt_async", sessionID: "s1" }),
    at(4, { type: "message", message: u2 }),
  ];
  const llmSaw = (seen: { id: string; parts: number }[], assistantID = "m3"): TraceEvent =>
    at(5, { type: "llm.call", sessionID: "s1", runID: "s1.run1", assistantID, seen, reply: "text" });

  it("a reply to a later message that read the earlier one whole covers both", () => {
    const trace = [...calls, llmSaw([{ id: "m1", parts: 1 }, { id: "m2", parts: 1 }]), at(6, { type: "message", message: assistantMsg("m3", "m2", "s1.run1") })];
    expect(inv.check(trace, endOf(6))).toEqual([]);
  });

  it("a reply to a later message that did not read the earlier one leaves it unanswered", () => {
    const trace = [...calls, llmSaw([{ id: "m2", parts: 1 }]), at(6, { type: "message", message: assistantMsg("m3", "m2", "s1.run1") })];
    const v = inv.check(trace, endOf(6));
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ invariant: NAME, sessionID: "s1", step: 6 });
    expect(v[0]!.message).toBe("message m1 (request a1, prompt_async) in s1, stored at step 2, was never answered: no run ever read it");
  });

  it("a reply to an earlier message does not cover a later one, even if it read it", () => {
    const trace = [...calls, llmSaw([{ id: "m1", parts: 1 }, { id: "m2", parts: 1 }]), at(6, { type: "message", message: assistantMsg("m3", "m1", "s1.run1") })];
    const v = inv.check(trace, endOf(6));
    expect(v.map((x) => x.message)).toEqual([expect.stringMatching(/^message m2 \(request b1, prompt_async\) in s1, stored at step 4, was never answered/)]);
  });

  it("an unfinished or tool-calls reply answers nothing", () => {
    for (const finish of [undefined, "tool-calls"]) {
      const reply = assistantMsg("m3", "m2", "s1.run1", { finish });
      if (finish === undefined) delete (reply as { finish?: string }).finish;
      const trace = [...calls, llmSaw([{ id: "m1", parts: 1 }, { id: "m2", parts: 1 }]), at(6, { type: "message", message: reply })];
      expect(inv.check(trace, endOf(6)).map((x) => x.message)).toEqual([
        expect.stringContaining("message m1 (request a1"),
        expect.stringContaining("message m2 (request b1"),
      ]);
    }
  });

  it("a torn read is explained; a later step that read the message whole answers it", () => {
    const torn = llmSaw([{ id: "m1", parts: 0 }, { id: "m2", parts: 1 }]);
    const trace = [...calls, torn, at(6, { type: "message", message: assistantMsg("m3", "m2", "s1.run1") })];
    expect(inv.check(trace, endOf(6)).map((x) => x.message)).toEqual([
      "message m1 (request a1, prompt_async) in s1, stored at step 2, was never answered: s1.run1 read it at step 5 with 0 of 1 parts and no step read it whole (torn read)",
    ]);
    const whole = at(6, { type: "llm.call", sessionID: "s1", runID: "s1.run1", assistantID: "m3", seen: [{ id: "m1", parts: 1 }], reply: "text" });
    expect(inv.check([...calls, torn, whole, at(7, { type: "message", message: assistantMsg("m3", "m2", "s1.run1") })], endOf(7))).toEqual([]);
  });

  it("a whole read that replied to an earlier message is not called a torn read", () => {
    const torn = llmSaw([{ id: "m1", parts: 0 }, { id: "m2", parts: 1 }]);
    const whole = at(6, { type: "llm.call", sessionID: "s1", runID: "s1.run1", assistantID: "m3", seen: [{ id: "m1", parts: 1 }, { id: "m2", parts: 1 }], reply: "text" });
    const olderUser = at(0, { type: "message", message: userMsg("m0", "z1") });
    const reply = at(7, { type: "message", message: assistantMsg("m3", "m0", "s1.run1") });
    const messages = inv.check([olderUser, ...calls, torn, whole, reply], endOf(7)).map((x) => x.message);
    expect(messages.find((m) => m.includes("message m1 "))).toMatch(/s1\.run1 read it whole at step 6, but that step replied to an earlier message/);
  });

  it("a lost wake-up is explained by the run the prompt joined", () => {
    const trace = [
      ...calls.slice(0, 2),
      at(2, { type: "wait.start", sessionID: "s1", waiter: "a1", runID: "s1.run7" }),
      at(3, { type: "loop.end", sessionID: "s1", runID: "s1.run7", outcome: "done" }),
    ];
    expect(inv.check(trace, endOf(3))[0]!.message).toMatch(/its prompt joined s1\.run7 at step 2, which exited at step 3 without reading it \(lost wake-up\)$/);
    expect(inv.check(trace.slice(0, 3), endOf(3))[0]!.message).toMatch(/its prompt joined s1\.run7 at step 2, which never exited without reading it \(lost wake-up\)$/);
  });

  it("an id inversion is explained when an earlier-written assistant has a higher id", () => {
    const trace = [
      at(1, { type: "message", message: userMsg("msg_2", "a1") }),
      at(2, { type: "message", message: assistantMsg("msg_3", "msg_2", "s1.run1") }),
      at(3, { type: "client.call", client: "b", request: "b1", action: "prompt_async", sessionID: "s1" }),
      at(4, { type: "message", message: userMsg("msg_0_client", "b1") }),
    ];
    expect(inv.check(trace, endOf(4)).map((x) => x.message)).toEqual([
      "message msg_0_client (request b1, prompt_async) in s1, stored at step 4, was never answered: an assistant written before it has a higher id, so the id-order exit test saw it as answered (id inversion)",
    ]);
  });

  it("a request that never stored its message is reported", () => {
    const trace = [at(1, { type: "client.call", client: "a", request: "a1", action: "prompt", sessionID: "s1" })];
    expect(inv.check(trace, endOf(1))).toMatchObject([
      { invariant: NAME, step: 1, sessionID: "s1", message: "request a1 (prompt s1) never stored its message" },
    ]);
  });

  it("noReply prompts, cancels and messages cancelled after they were sent are exempt; a cancel before is not", () => {
    const noReply = [at(1, { type: "client.call", client: "a", request: "a1", action: "prompt", sessionID: "s1", noReply: true }), at(2, { type: "message", message: { ...u1, noReply: true } })];
    expect(inv.check(noReply, endOf(2))).toEqual([]);
    const cancel = at(5, { type: "client.call", client: "c", request: "c1", action: "cancel", sessionID: "s1" });
    expect(inv.check([...calls, cancel], endOf(5))).toEqual([]);
    const cancelEarly = at(0, { type: "client.call", client: "c", request: "c1", action: "cancel", sessionID: "s1" });
    expect(inv.check([cancelEarly, ...calls], endOf(4))).toHaveLength(2);
    const otherSession = at(5, { type: "client.call", client: "c", request: "c1", action: "cancel", sessionID: "s2" });
    expect(inv.check([...calls, otherSession], endOf(5))).toHaveLength(2);
  });

  it("is a liveness check: nothing is reported unless the run ended at rest", () => {
    expect(inv.liveness).toBe(true);
    expect(inv.check(calls, endOf(4))).toHaveLength(2);
    expect(inv.check(calls, endOf(4, { atRest: false, limitHit: true }))).toEqual([]);
  });
});

describe("every-message-answered over the server's own prompts (a child's task, background and job prompts)", () => {
  /** s1's run starts background child c1 and prompts it (s1.run1.bg); c1's message is stored whole, then `extra` happens. */
  const lost = (extra: TraceEvent[] = [], child: Partial<import("../../../src/boundaries/port.ts").MessageInfo> = {}): TraceEvent[] => [
    at(1, { type: "client.call", client: "a", request: "a1", action: "prompt", sessionID: "s1" }),
    at(2, { type: "message", message: userMsg("m1", "a1") }),
    at(3, { type: "loop.start", sessionID: "s1", runID: "s1.run1" }),
    at(4, { type: "llm.call", sessionID: "s1", runID: "s1.run1", assistantID: "m4", seen: [{ id: "m1", parts: 1 }], reply: "text" }),
    at(5, { type: "job.start", job: "c1.job", parentID: "s1", sessionID: "c1", style: "plugin" }),
    at(6, { type: "request.start", sessionID: "c1", request: "s1.run1.bg" }),
    at(7, { type: "message", message: userMsg("m3", "s1.run1.bg", { sessionID: "c1", ...child }) }),
    at(8, { type: "request.end", request: "s1.run1.bg" }),
    at(9, { type: "message", message: assistantMsg("m4", "m1", "s1.run1") }),
    at(9, { type: "loop.end", sessionID: "s1", runID: "s1.run1", outcome: "done" }),
    at(10, { type: "client.return", request: "a1" }),
    ...extra,
  ];

  it("a child's prompt stored and never answered is a violation that names the server's prompt", () => {
    const [v, ...more] = inv.check(lost(), endOf(11));
    expect(more).toEqual([]);
    expect(v!.message).toMatch(/^message m3 \(the server's prompt s1\.run1\.bg\) in c1, stored at step 7, was never answered: no run ever read it$/);
  });

  it("excused when its session or an ancestor began a cancel after it, or a run's dispose came after it; noReply is not a prompt to answer", () => {
    expect(inv.check(lost([at(11, { type: "cancel.start", sessionID: "s1", request: "b1" })]), endOf(12))).toEqual([]);
    expect(inv.check(lost([at(11, { type: "cancel.start", sessionID: "c1", request: "b1.c1" })]), endOf(12))).toEqual([]);
    expect(inv.check(lost([], { noReply: true }), endOf(11))).toEqual([]);
    expect(inv.check(lost([at(11, { type: "run.exit", sessionID: "s1", observer: "fixed" }), at(12, { type: "run.disposed" })]), endOf(12))).toEqual([]);
    // A cancel of another session excuses nothing.
    expect(inv.check(lost([at(11, { type: "cancel.start", sessionID: "s2", request: "b1" })]), endOf(12))).toHaveLength(1);
  });
});
