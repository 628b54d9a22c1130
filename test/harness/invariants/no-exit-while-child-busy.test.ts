import { describe, expect, it } from "vitest";
import { ScenariosMap } from "../../../src/harness/scenario/builtin/index.ts";
import { explore, type ExploreResult } from "../../../src/harness/explore/explore.ts";
import { InvariantsMap } from "../../../src/harness/invariants/index.ts";
import type { BuiltinObserver } from "../../../src/subjects/observers/index.ts";
import { resolveWorld } from "../../../src/harness/resolve.ts";
import { RunnersMap, type BuiltinRunner } from "../../../src/subjects/runner/variants/index.ts";
import { random } from "../../../src/harness/scheduler/strategies/random.ts";
import type { TraceEvent } from "../../../src/harness/trace.ts";
import { at, endOf, expectClean, firstFailure } from "./support.ts";

const inv = InvariantsMap["no-exit-while-child-busy"];
const NAME = "no-exit-while-child-busy";

const created = (step: number, sessionID: string, parentID = "main"): TraceEvent => at(step, { type: "session.created", sessionID, parentID });
const loopStart = (step: number, runID: string, sessionID: string): TraceEvent => at(step, { type: "loop.start", sessionID, runID });
const loopEnd = (step: number, runID: string, sessionID: string): TraceEvent => at(step, { type: "loop.end", sessionID, runID, outcome: "done" });
const reqStart = (step: number, request: string, sessionID: string): TraceEvent => at(step, { type: "request.start", sessionID, request });
const reqEnd = (step: number, request: string): TraceEvent => at(step, { type: "request.end", request });
const waitStart = (step: number, waiter: string, runID: string, sessionID: string): TraceEvent => at(step, { type: "wait.start", sessionID, waiter, runID });
const jobStart = (step: number, job: string, sessionID: string, parentID = "main"): TraceEvent =>
  at(step, { type: "job.start", job, parentID, sessionID, style: "plugin" });
const jobEnd = (step: number, job: string, parentID = "main"): TraceEvent => at(step, { type: "job.end", job, parentID, outcome: "woke" });
const exit = (step: number, sessionID = "main", observer = "main-idle"): TraceEvent => at(step, { type: "run.exit", sessionID, observer });
/** The main session's own run, started and over. */
const mainRun: TraceEvent[] = [
  at(1, { type: "run.start", sessionID: "main", observer: "main-idle" }),
  reqStart(1, "run1", "main"),
  loopStart(2, "main.run1", "main"),
  waitStart(2, "run1", "main.run1", "main"),
  created(3, "c1"),
];
const mainDone: TraceEvent[] = [loopEnd(6, "main.run1", "main"), at(6, { type: "wait.end", waiter: "run1" }), reqEnd(6, "run1")];

describe("no-exit-while-child-busy over hand-built traces: the run exits while a descendant of main is busy", () => {
  it("(a) a child loop still running is reported with the observer, the step and the child; ended first, it is fine", () => {
    const bad = [...mainRun, loopStart(4, "c1.run1", "c1"), ...mainDone, exit(7)];
    expect(inv.check(bad, endOf(7))).toMatchObject([
      {
        invariant: NAME,
        step: 7,
        sessionID: "c1",
        message: "run (observer main-idle) exited at step 7 and disposed the instance while child session c1 is busy: c1.run1 is still running",
      },
    ]);
    const ok = [...mainRun, loopStart(4, "c1.run1", "c1"), loopEnd(5, "c1.run1", "c1"), ...mainDone, exit(7)];
    expect(inv.check(ok, endOf(7))).toEqual([]);
  });

  it("(b) a child prompt still being stored (no wait yet) is reported; once its request ended, it is fine", () => {
    const bad = [...mainRun, reqStart(4, "c1.p", "c1"), ...mainDone, exit(7)];
    expect(inv.check(bad, endOf(7))).toMatchObject([
      {
        invariant: NAME,
        step: 7,
        sessionID: "c1",
        message: "run (observer main-idle) exited at step 7 and disposed the instance while child session c1 is busy: prompt c1.p is still being stored",
      },
    ]);
    const ok = [...mainRun, reqStart(4, "c1.p", "c1"), reqEnd(5, "c1.p"), ...mainDone, exit(7)];
    expect(inv.check(ok, endOf(7))).toEqual([]);
  });

  it("(c) a background job of main that has not woken it is reported; after its job.end, it is fine", () => {
    const bad = [...mainRun, jobStart(4, "c1.job", "c1"), ...mainDone, exit(7)];
    expect(inv.check(bad, endOf(7))).toMatchObject([
      {
        invariant: NAME,
        step: 7,
        sessionID: "c1",
        message: "run (observer main-idle) exited at step 7 and disposed the instance while background job c1.job has not yet woken main with c1's result",
      },
    ]);
    const ok = [...mainRun, jobStart(4, "c1.job", "c1"), jobEnd(5, "c1.job"), ...mainDone, exit(7)];
    expect(inv.check(ok, endOf(7))).toEqual([]);
  });

  it("a grandchild (created by a child, or by a child's job) is in the family too", () => {
    const viaSession = [...mainRun, created(4, "c2", "c1"), loopStart(5, "c2.run1", "c2"), ...mainDone, exit(7)];
    expect(inv.check(viaSession, endOf(7)).map((v) => [v.sessionID, v.message])).toEqual([
      ["c2", "run (observer main-idle) exited at step 7 and disposed the instance while child session c2 is busy: c2.run1 is still running"],
    ]);
    const viaJob = [...mainRun, jobStart(4, "c2.job", "c2", "c1"), jobEnd(4, "c2.job", "c1"), loopStart(5, "c2.run1", "c2"), ...mainDone, exit(7)];
    expect(inv.check(viaJob, endOf(7)).map((v) => v.sessionID)).toEqual(["c2"]);
  });

  it("main itself busy is reported as the main session; a busy child comes first, the rest are counted", () => {
    const mainOnly = [...mainRun, exit(5)];
    expect(inv.check(mainOnly, endOf(5))).toMatchObject([
      {
        invariant: NAME,
        step: 5,
        sessionID: "main",
        message:
          "run (observer main-idle) exited at step 5 and disposed the instance while main session main is busy: main.run1 is still running (and 1 more: main session main is busy: prompt run1 waits on main.run1)",
      },
    ]);
    const both = [...mainRun, loopStart(4, "c1.run1", "c1"), exit(5)];
    const [v] = inv.check(both, endOf(5));
    expect(v?.sessionID).toBe("c1");
    expect(v?.message).toBe(
      "run (observer main-idle) exited at step 5 and disposed the instance while child session c1 is busy: c1.run1 is still running (and 2 more: main session main is busy: main.run1 is still running; main session main is busy: prompt run1 waits on main.run1)",
    );
  });
});

describe("no-exit-while-child-busy over hand-built traces: what does not count", () => {
  it("everything ended before the exit: nothing", () => {
    const t = [
      ...mainRun,
      jobStart(3, "c1.job", "c1"),
      reqStart(4, "c1.p", "c1"),
      loopStart(4, "c1.run1", "c1"),
      waitStart(4, "c1.p", "c1.run1", "c1"),
      loopEnd(5, "c1.run1", "c1"),
      at(5, { type: "wait.end", waiter: "c1.p" }),
      reqEnd(5, "c1.p"),
      jobEnd(5, "c1.job"),
      ...mainDone,
      exit(7),
    ];
    expect(inv.check(t, endOf(7))).toEqual([]);
  });

  it("a prompt that only waits on the done of a loop that has ended is over; while the loop runs it is not", () => {
    const waiting = [...mainRun, reqStart(4, "c1.p", "c1"), loopStart(4, "c1.run1", "c1"), waitStart(4, "c1.p", "c1.run1", "c1")];
    expect(inv.check([...waiting, loopEnd(5, "c1.run1", "c1"), ...mainDone, exit(7)], endOf(7))).toEqual([]);
    expect(inv.check([...waiting, ...mainDone, exit(7)], endOf(7)).map((v) => v.message)).toEqual([
      "run (observer main-idle) exited at step 7 and disposed the instance while child session c1 is busy: c1.run1 is still running (and 1 more: child session c1 is busy: prompt c1.p waits on c1.run1)",
    ]);
  });

  it("a busy session outside main's family (no parent, another root's child, another root's job) is not main's business", () => {
    const unrelated = [...mainRun, loopStart(4, "x.run1", "x"), reqStart(4, "x.p", "x"), ...mainDone, exit(7)];
    expect(inv.check(unrelated, endOf(7))).toEqual([]);
    const otherRoot = [
      ...mainRun,
      created(4, "y1", "other"),
      loopStart(4, "y1.run1", "y1"),
      jobStart(4, "y2.job", "y2", "other"),
      ...mainDone,
      exit(7),
    ];
    expect(inv.check(otherRoot, endOf(7))).toEqual([]);
    // The same busy session, made a child of main, is reported.
    const adopted = otherRoot.map((e) => (e.type === "session.created" && e.sessionID === "y1" ? { ...e, parentID: "main" } : e));
    expect(inv.check(adopted, endOf(7)).map((v) => v.sessionID)).toEqual(["y1"]);
  });

  it("no run.exit: nothing, however busy; only the state at the first run.exit counts", () => {
    const busy = [...mainRun, loopStart(4, "c1.run1", "c1"), jobStart(4, "c1.job", "c1"), reqStart(4, "c1.p", "c1")];
    expect(inv.liveness).toBe(false);
    expect(inv.check(busy, endOf(4))).toEqual([]);
    expect(inv.check(busy, endOf(4, { atRest: false, exited: true }))).toEqual([]);
    // What ends after the exit does not undo it.
    const late = [...busy, exit(5), loopEnd(6, "c1.run1", "c1"), jobEnd(6, "c1.job"), reqEnd(6, "c1.p")];
    expect(inv.check(late, endOf(6)).map((v) => v.step)).toEqual([5]);
  });

  it("the exit of another main session judges that session's family", () => {
    const t = [...mainRun, loopStart(4, "c1.run1", "c1"), ...mainDone, exit(7, "c1", "fixed")];
    expect(inv.check(t, endOf(7)).map((v) => v.message)).toEqual([
      "run (observer fixed) exited at step 7 and disposed the instance while main session c1 is busy: c1.run1 is still running",
    ]);
  });
});

describe("no-exit-while-child-busy over real runs of background-child-run", () => {
  const scenario = ScenariosMap["background-child-run"];
  function run(runner: BuiltinRunner, observer: BuiltinObserver, runs: number): Promise<ExploreResult> {
    return explore({
      world: resolveWorld(scenario, observer, undefined),
      scenario,
      runner: RunnersMap[runner],
      strategy: random({ seed: 1 }),
      invariants: [inv],
      runs,
      maxSteps: 1000,
      keepGoing: false,
      concurrency: 16,
    });
  }
  /** The failure is real: the exit is in the trace at the violation's step, with the child's job still open. */
  function checkFailure(result: ExploreResult, observer: BuiltinObserver): void {
    const { trace, violation } = firstFailure(result, NAME);
    const exitIndex = trace.findIndex((e) => e.type === "run.exit");
    expect(exitIndex).toBeGreaterThanOrEqual(0);
    expect(trace[exitIndex]).toMatchObject({ type: "run.exit", sessionID: "main", observer, step: violation.step });
    expect(violation.message).toMatch(new RegExp(`^run \\(observer ${observer}\\) exited at step ${violation.step} and disposed the instance while `));
    const before = trace.slice(0, exitIndex);
    const open = before.filter((e) => e.type === "job.start").filter((s) => !before.some((e) => e.type === "job.end" && s.type === "job.start" && e.job === s.job));
    const running = before.filter((e) => e.type === "loop.start").filter((s) => !before.some((e) => e.type === "loop.end" && s.type === "loop.start" && e.runID === s.runID));
    expect(open.length + running.length, "something of main's family was still going at the exit").toBeGreaterThan(0);
  }

  it("upstream with the main-idle observer exits before the background child is done (seed 1, 2000 runs)", async () => {
    checkFailure(await run("upstream", "main-idle", 2000), "main-idle");
  });

  it("upstream with the busy-set observer exits too early as well (seed 1, 20000 runs budget)", async () => {
    checkFailure(await run("upstream", "busy-set", 20000), "busy-set");
  });

  it("the fixed runner with the fixed observer waits for the whole family (seed 1, 2000 schedules)", async () => {
    expectClean(await run("fixed", "fixed", 2000), 2000);
  });
});

describe("no-exit-while-child-busy: the run command's own prompt", () => {
  const inv = InvariantsMap["no-exit-while-child-busy"];
  /** The run sends run1 (client `run`), a1 comes from client a; both join s1.run1, which exits at 4; then `tail`, then the run exits. */
  const trace = (tail: TraceEvent[]): TraceEvent[] => [
    at(1, { type: "run.start", sessionID: "s1", observer: "early" }),
    at(1, { type: "client.call", client: "run", request: "run1", action: "prompt", sessionID: "s1" }),
    at(1, { type: "client.call", client: "a", request: "a1", action: "prompt", sessionID: "s1" }),
    at(2, { type: "request.start", sessionID: "s1", request: "run1" }),
    at(2, { type: "request.start", sessionID: "s1", request: "a1" }),
    at(3, { type: "loop.start", sessionID: "s1", runID: "s1.run1" }),
    at(3, { type: "wait.start", sessionID: "s1", waiter: "run1", runID: "s1.run1" }),
    at(3, { type: "wait.start", sessionID: "s1", waiter: "a1", runID: "s1.run1" }),
    at(4, { type: "loop.end", sessionID: "s1", runID: "s1.run1", outcome: "done" }),
    ...tail,
    at(6, { type: "run.exit", sessionID: "s1", observer: "early" }),
  ];

  it("an exit before the run's own prompt has returned is a violation, whether its answer is still in the server or on its way back", () => {
    const [inServer] = inv.check(trace([]), endOf(7));
    expect(inServer!.message).toBe("run (observer early) exited at step 6 and disposed the instance while main session s1 is busy: prompt run1 has not returned (s1.run1 exited, its answer not delivered yet)");
    const [onItsWay] = inv.check(trace([at(5, { type: "request.end", request: "run1" }), at(5, { type: "request.end", request: "a1" })]), endOf(7));
    expect(onItsWay!.message).toBe("run (observer early) exited at step 6 and disposed the instance while main session s1 is busy: the run's own prompt run1 has not returned");
  });

  it("after the prompt returned, the exit is fine; another client's prompt waiting on the exited loop is over in all but name", () => {
    expect(inv.check(trace([at(5, { type: "request.end", request: "run1" }), at(5, { type: "client.return", request: "run1" })]), endOf(7))).toEqual([]);
  });
});
