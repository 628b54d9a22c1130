import { describe, expect, it } from "vitest";
import { InvariantsMap } from "../../../src/harness/invariants/index.ts";
import type { TraceEvent } from "../../../src/harness/trace.ts";
import { assistantMsg, at, endOf, userMsg } from "./support.ts";

const inv = InvariantsMap["child-result-answered"];
const NAME = "child-result-answered";

/** s1's first run (answering a1) starts background job c1.job with child c1. */
const started: TraceEvent[] = [
  at(1, { type: "client.call", client: "a", request: "a1", action: "prompt", sessionID: "s1" }),
  at(1, { type: "message", message: userMsg("u1", "a1") }),
  at(2, { type: "loop.start", sessionID: "s1", runID: "s1.run1" }),
  at(2, { type: "session.created", sessionID: "c1", parentID: "s1" }),
  at(2, { type: "job.start", job: "c1.job", parentID: "s1", sessionID: "c1", style: "job" }),
  at(3, { type: "message", message: assistantMsg("x1", "u1", "s1.run1") }),
  at(3, { type: "loop.end", sessionID: "s1", runID: "s1.run1", outcome: "done" }),
];
/** The job injects c1's result into s1 as a noReply user message (info, then its one part). */
const injected: TraceEvent[] = [
  at(4, { type: "request.start", sessionID: "s1", request: "c1.job.inject", job: "c1.job" }),
  at(4, { type: "message", message: userMsg("inj", "c1.job.inject", { parts: 0, noReply: true }) }),
  at(5, { type: "message", message: userMsg("inj", "c1.job.inject", { noReply: true }) }),
  at(5, { type: "request.end", request: "c1.job.inject" }),
];
const woken: TraceEvent[] = [
  at(6, { type: "request.start", sessionID: "s1", request: "c1.job.wake", job: "c1.job" }),
  at(6, { type: "job.end", job: "c1.job", parentID: "s1", outcome: "woke" }),
];
/** s1.run2 answers: an LLM step that read `inj` with `parts` parts, and an assistant finished with `finish`. */
function answer(parts = 1, finish = "stop"): TraceEvent[] {
  return [
    at(7, { type: "loop.start", sessionID: "s1", runID: "s1.run2" }),
    at(7, { type: "message", message: assistantMsg("x2", "inj", "s1.run2", { finish: undefined }) }),
    at(8, { type: "llm.call", sessionID: "s1", runID: "s1.run2", assistantID: "x2", seen: [{ id: "u1", parts: 1 }, { id: "inj", parts }], reply: "text" }),
    at(9, { type: "message", message: assistantMsg("x2", "inj", "s1.run2", { finish }) }),
    at(9, { type: "loop.end", sessionID: "s1", runID: "s1.run2", outcome: "done" }),
  ];
}
const answered = [...started, ...injected, ...woken, ...answer()];

describe("child-result-answered over hand-built traces", () => {
  it("a job whose result was injected and answered by a step that saw it whole: nothing", () => {
    expect(inv.check(answered, endOf(9))).toEqual([]);
  });

  it("a job that never injected its result is reported, saying how far the job got", () => {
    expect(inv.check(started, endOf(3))).toMatchObject([
      { invariant: NAME, step: 3, sessionID: "s1", message: "c1's result never reached s1: the job never got that far" },
    ]);
    const ended = [...started, at(4, { type: "job.end", job: "c1.job", parentID: "s1", outcome: "interrupted" })];
    expect(inv.check(ended, endOf(4))).toMatchObject([
      { invariant: NAME, step: 4, sessionID: "s1", message: "c1's result never reached s1: the job ended (interrupted) at step 4" },
    ]);
  });

  it("an injected result nobody answered is reported, with whether the job woke the parent", () => {
    expect(inv.check([...started, ...injected], endOf(5))).toMatchObject([
      {
        invariant: NAME,
        step: 5,
        sessionID: "s1",
        message: "c1's result (inj, stored in s1 at step 4) was never answered: c1.job never woke it",
      },
    ]);
    expect(inv.check([...started, ...injected, ...woken], endOf(6))).toMatchObject([
      {
        invariant: NAME,
        step: 6,
        sessionID: "s1",
        // No step read inj; x1, written before it, has an id that sorts above it: an id-order work test takes inj as answered.
        message: "c1's result (inj, stored in s1 at step 4) was never answered: it was woken at step 6, but an assistant written before it has a higher id, so the id-order exit test saw it as answered (id inversion)",
      },
    ]);
  });

  it("an answer must have read the result whole and finished", () => {
    const torn = [...started, ...injected, ...woken, ...answer(0)];
    expect(inv.check(torn, endOf(9)).map((v) => v.message)).toEqual([
      "c1's result (inj, stored in s1 at step 4) was never answered: it was woken at step 6, but s1.run2 read it at step 8 with 0 of 1 parts and no step read it whole (torn read)",
    ]);
    const unfinished = [...started, ...injected, ...woken, ...answer().slice(0, 3)];
    expect(inv.check(unfinished, endOf(9))).toHaveLength(1);
    // The earlier reply x1 (to a message before the injection) does not count, though finished.
    const readByOld = [
      ...started,
      ...injected,
      at(6, { type: "llm.call", sessionID: "s1", runID: "s1.run1", assistantID: "x1", seen: [{ id: "inj", parts: 1 }], reply: "text" }),
    ];
    expect(inv.check(readByOld, endOf(6))).toHaveLength(1);
  });

  it("every job is judged on its own: a second job's missing result is reported though the first was answered", () => {
    const second = [...answered, at(10, { type: "job.start", job: "c2.job", parentID: "s1", sessionID: "c2", style: "job" })];
    expect(inv.check(second, endOf(10))).toMatchObject([
      { invariant: NAME, step: 10, sessionID: "s1", message: "c2's result never reached s1: the job never got that far" },
    ]);
  });

  it("exempt when the parent got a cancel after the job started; a cancel before it, or of another session, exempts nothing", () => {
    const cancel = (step: number, sessionID: string): TraceEvent => at(step, { type: "cancel.start", sessionID, request: "b1" });
    expect(inv.check([...started, cancel(4, "s1")], endOf(4))).toEqual([]);
    expect(inv.check([...started, ...injected, cancel(6, "s1")], endOf(6))).toEqual([]);
    const before = [cancel(1, "s1"), ...started];
    expect(inv.check(before, endOf(3))).toHaveLength(1);
    expect(inv.check([...started, cancel(4, "c1")], endOf(4))).toHaveLength(1);
  });

  it("exempt when the instance was disposed (or the process exited): the run's exit is judged elsewhere", () => {
    expect(inv.check([...started, at(4, { type: "instance.disposed" })], endOf(4))).toEqual([]);
    expect(inv.check([...started, at(4, { type: "process.exit", code: 0 })], endOf(4))).toEqual([]);
  });

  it("checked only when the run ended at rest (liveness)", () => {
    expect(inv.liveness).toBe(true);
    expect(inv.check(started, endOf(3, { atRest: false, limitHit: true }))).toEqual([]);
    expect(inv.check(started, endOf(3, { atRest: true }))).toHaveLength(1);
  });
});

describe("child-result-answered in run scenarios (the excuse rule under dispose)", () => {
  it("upstream loses a child's result to a lost wake-up before the run exits: reported, though the run then disposes the instance; fixed passes", async () => {
    const { generateScenario } = await import("../../../src/harness/fuzz/swarmScenario.ts");
    const { explore } = await import("../../../src/harness/explore/explore.ts");
    const { resolveInvariants, resolveStrategy, resolveRunner } = await import("../../../src/harness/resolve.ts");
    const { scenario } = generateScenario(1, 17);
    expect(scenario.run).toBeDefined();
    const search = (runner: string) =>
      explore({ seed: 1, scenario, runner: resolveRunner(runner), strategy: resolveStrategy("portfolio", { seed: 1, depth: 3, preemptions: 2, reduction: true }), invariants: resolveInvariants(scenario).filter((i) => i.name === "child-result-answered"), runs: 200, maxSteps: 1000, keepGoing: false, concurrency: 1 });
    const upstream = await search("upstream");
    const found = upstream.failures[0];
    expect(found, "upstream loses a result").toBeDefined();
    expect(found!.violations[0]!.message).toMatch(/^child\d+'s result \(\S+, stored in s\d at step \d+\) was never answered: it was woken at step \d+, but child\d+\.job\.wake joined s\d\.run\d+ at step \d+, which exited at step \d+ without reading it \(lost wake-up\)$/);
    expect(found!.result.trace.some((e) => e.type === "run.exit")).toBe(true);
    expect((await search("fixed")).failures).toEqual([]);
  }, 60_000);
});
