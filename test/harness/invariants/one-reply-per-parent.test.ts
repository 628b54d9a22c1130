import { describe, expect, it } from "vitest";
import { InvariantsMap } from "../../../src/harness/invariants/index.ts";
import type { MessageInfo } from "../../../src/boundaries/port.ts";
import type { TraceEvent } from "../../../src/harness/trace.ts";
import { assistantMsg, at, endOf, expectClean, exploreOne, firstFailure, runOne, toy, toyScenarios, userMsg } from "./support.ts";

const inv = InvariantsMap["one-reply-per-parent"];
const NAME = "one-reply-per-parent";

const msg = (step: number, message: MessageInfo): TraceEvent => at(step, { type: "message", message });

describe("one-reply-per-parent over real runs", () => {
  it("upstream answers one message twice from two loops in cancel-race (seed 1)", async () => {
    const result = await exploreOne({ scenario: "cancel-race", runner: "upstream", invariant: NAME, seed: 1, runs: 150 });
    const { violation, trace } = firstFailure(result, NAME);
    expect(violation.sessionID).toBe("s1");
    const m = /^user message (\S+) got a second reply (\S+) \((s1\.run\d+)\) at step (\d+); the first was (\S+) \((s1\.run\d+)\) at step (\d+)$/.exec(violation.message);
    expect(m, violation.message).not.toBeNull();
    const [, parent, second, secondRun, step, first, firstRun] = m!;
    expect(violation.step).toBe(Number(step));
    expect(second).not.toBe(first);
    const finalOf = (id: string) => trace.filter((e) => e.type === "message" && e.message.id === id).at(-1);
    const p = finalOf(parent!);
    expect(p?.type === "message" && p.message.role).toBe("user");
    for (const [id, runID] of [[first, firstRun], [second, secondRun]] as const) {
      const a = finalOf(id!);
      expect(a?.type === "message" && a.message).toMatchObject({ role: "assistant", parentID: parent, runID });
    }
  });

  it.each(["cancel-race", "double-prompt-async", "busy-prompt-async"] as const)(
    "the fixed runner replies at most once per message in %s (seed 1, 300 schedules)",
    async (scenario) => {
      expectClean(await exploreOne({ scenario, runner: "fixed", invariant: NAME, seed: 1, runs: 300 }), 300);
    },
  );

  it("a tiny runner that answers each prompt once is fine", async () => {
    const run = await runOne({ scenario: toyScenarios.twoSessions, runner: toy, invariants: [NAME] });
    expect(run.violations).toEqual([]);
  });
});

describe("one-reply-per-parent over hand-built traces", () => {
  const u = userMsg("u1", "a1");

  it("a second finished reply to one message is reported with both replies and their runs", () => {
    const trace = [msg(1, u), msg(2, assistantMsg("x1", "u1", "run1")), msg(4, assistantMsg("x2", "u1", "run2"))];
    expect(inv.check(trace, endOf(4))).toMatchObject([
      {
        invariant: NAME,
        step: 4,
        sessionID: "s1",
        message: "user message u1 got a second reply x2 (run2) at step 4; the first was x1 (run1) at step 2",
      },
    ]);
  });

  it("one reply reported several times (streaming, then finished, then rewritten) is one reply", () => {
    const trace = [
      msg(1, u),
      msg(2, assistantMsg("x1", "u1", "run1", { finish: undefined, parts: 0 })),
      msg(3, assistantMsg("x1", "u1", "run1", { parts: 1 })),
      msg(4, assistantMsg("x1", "u1", "run1", { parts: 2 })),
    ];
    expect(inv.check(trace, endOf(4))).toEqual([]);
  });

  it("tool-calls steps and unfinished assistants are not replies; replies to different messages are fine", () => {
    const trace = [
      msg(1, u),
      msg(2, assistantMsg("x1", "u1", "run1", { finish: "tool-calls" })),
      msg(3, assistantMsg("x2", "u1", "run1", { finish: undefined })),
      msg(4, assistantMsg("x3", "u1", "run1")),
      msg(5, userMsg("u2", "b1")),
      msg(6, assistantMsg("x4", "u2", "run2")),
    ];
    expect(inv.check(trace, endOf(6))).toEqual([]);
    // An aborted or errored reply is terminal, so it counts.
    expect(inv.check([...trace, msg(7, assistantMsg("x5", "u2", "run3", { finish: "aborted" }))], endOf(7)).map((v) => v.message)).toEqual([
      "user message u2 got a second reply x5 (run3) at step 7; the first was x4 (run2) at step 6",
    ]);
  });

  it("a reply without a run id is named with '?'", () => {
    const noRun = (id: string) => {
      const a = assistantMsg(id, "u1", "r");
      delete (a as { runID?: string }).runID;
      return a;
    };
    expect(inv.check([msg(1, u), msg(2, noRun("x1")), msg(3, noRun("x2"))], endOf(3))[0]?.message).toBe(
      "user message u1 got a second reply x2 (?) at step 3; the first was x1 (?) at step 2",
    );
  });
});
