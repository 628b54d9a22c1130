import { describe, expect, it } from "vitest";
import { explore } from "../../../src/harness/explore/explore.ts";
import { InvariantsMap } from "../../../src/harness/invariants/index.ts";
import { ScenariosMap } from "../../../src/harness/scenario/builtin/index.ts";
import { dfs } from "../../../src/harness/scheduler/strategies/dfs.ts";
import type { TraceEvent } from "../../../src/harness/trace.ts";
import type { RunnerVariant } from "../../../src/boundaries/port.ts";
import { createSessionRunner } from "../../../src/subjects/runner/createSessionRunner.ts";
import { fixedDesign } from "../../../src/subjects/runner/variants/fixed.ts";
import { RunnersMap } from "../../../src/subjects/runner/variants/index.ts";
import { EffectRunnersMap } from "../../../src/subjects/effect-runner/variants/index.ts";
import { assistantMsg, at, endOf, exploreOne, firstFailure } from "./support.ts";

const inv = InvariantsMap["tool-part-states"];
const NAME = "tool-part-states";

const part = (step: number, status: "running" | "completed" | "error", by: string, call = 1): TraceEvent =>
  at(step, { type: "tool.part", sessionID: "s1", messageID: "msg_2", call, tool: "task", status, by });

describe("tool-part-states over traces", () => {
  it("passes a part that runs and settles once, before its message is finished", () => {
    const trace = [part(3, "running", "s1.run1"), part(9, "completed", "s1.run1"), at(10, { type: "message", message: assistantMsg("msg_2", "msg_1", "s1.run1", { finish: "tool-calls" }) })];
    expect(inv.check(trace, endOf(10))).toEqual([]);
  });

  it("names both writers when a dying run's cleanup writes error over a completed part", () => {
    const trace = [part(3, "running", "s1.run1"), part(20, "completed", "s1.run1.tool1"), part(22, "error", "s1.run1 halt")];
    const [v, ...rest] = inv.check(trace, endOf(22));
    expect(rest).toEqual([]);
    expect(v!.step).toBe(22);
    expect(v!.message).toBe(
      "tool call 1 (task) of msg_2 was settled completed by s1.run1.tool1 at step 20, then s1.run1 halt wrote error over it at step 22: a dying run's cleanup overwrote the tool's result",
    );
    expect(v!.evidence?.map((e) => [e.step, e.role])).toEqual([
      [20, "late tool"],
      [22, "halt cleanup"],
    ]);
  });

  it("names a late result written over the cleanup's error", () => {
    const trace = [part(3, "running", "s1.run1"), part(20, "error", "s1.run1 halt"), part(22, "completed", "s1.run1.tool1")];
    expect(inv.check(trace, endOf(22))[0]!.message).toMatch(/settled error by s1\.run1 halt at step 20, then s1\.run1\.tool1 wrote completed over it at step 22: a late result overwrote the cleanup's error$/);
  });

  it("flags a message finished while one of its tool parts still reads running", () => {
    const trace = [part(3, "running", "s1.run1"), part(4, "completed", "s1.run1"), part(5, "running", "s1.run1", 2), at(8, { type: "message", message: assistantMsg("msg_2", "msg_1", "s1.run1", { finish: "aborted" }) })];
    const [v] = inv.check(trace, endOf(8));
    expect(v!.message).toBe("msg_2 was finished (aborted) by s1.run1 at step 8 while tool call 2 (task) of msg_2 still read running (since step 5)");
  });
});

/** fixed, with its tool parts settled the way upstream settles them (read, then write). */
const fixedWithoutAtomicSettle: RunnerVariant = {
  name: "fixed-without-atomic-settle",
  description: "fixed, but a late tool result and the halt's cleanup each read the part, then write it",
  create: (port) => createSessionRunner(port, { ...fixedDesign, atomicToolSettle: false }),
  completeFootprints: true,
};

async function dfsOf(runner: RunnerVariant, preemptions: number, runs = 100_000) {
  return explore({
    scenario: ScenariosMap["cancel-sync-child"],
    runner,
    strategy: dfs({ seed: 1, preemptions }),
    invariants: [inv],
    runs,
    maxSteps: 1000,
    keepGoing: false,
    concurrency: 8,
  });
}

describe("tool-part-states over real runs (cancel-sync-child)", () => {
  it("upstream's cleanup writes error over the result the sync task has just written", async () => {
    const result = await exploreOne({ scenario: "cancel-sync-child", runner: "upstream", invariant: NAME, seed: 1, runs: 2000 });
    const { violation, trace } = firstFailure(result, NAME);
    expect(violation.message).toMatch(/^tool call 1 \(task\) of (\S+) was settled completed by s1\.run1\.tool1 at step \d+, then s1\.run1 halt wrote error over it/);
    // The tool completed late: the step had been interrupted by the cancel before.
    const cancel = trace.findIndex((e) => e.type === "cancel.start" && e.sessionID === "s1");
    const late = trace.findIndex((e) => e.type === "tool.part" && e.by === "s1.run1.tool1");
    expect(cancel).toBeGreaterThanOrEqual(0);
    expect(late).toBeGreaterThan(cancel);
  });

  it("fixed settles each part once in every schedule (DFS complete, bound 2); without its atomic settle it does not", async () => {
    const fixed = await dfsOf(RunnersMap.fixed, 2);
    expect(fixed.failures).toEqual([]);
    expect(fixed.exhausted).toBe(true);
    const mutant = await dfsOf(fixedWithoutAtomicSettle, 2);
    expect(mutant.failures[0]?.violations[0]?.message).toMatch(/s1\.run1 halt wrote error over it at step \d+: a dying run's cleanup overwrote the tool's result$/);
  });

  it("the Effect runners model the same race: effect-upstream overwrites (DFS, bound 2), effect-fixed does not (seed 1)", async () => {
    const upstream = await dfsOf(EffectRunnersMap["effect-upstream"], 2, 5000);
    expect(upstream.failures[0]?.violations[0]?.message).toMatch(/s1\.run1 halt wrote error over it/);
    const fixed = await exploreOne({ scenario: "cancel-sync-child", runner: EffectRunnersMap["effect-fixed"], invariant: NAME, seed: 1, runs: 1000 });
    expect(fixed.failures).toEqual([]);
    expect(fixed.schedulesRun).toBe(1000);
  });
});
