import { beforeAll, describe, expect, it } from "vitest";
import { ScenariosMap } from "../../../src/harness/scenario/builtin/index.ts";
import { runSchedule, type ScheduleResult } from "../../../src/harness/explore/runSchedule.ts";
import type { RunnerVariant } from "../../../src/boundaries/port.ts";
import { RunnersMap } from "../../../src/subjects/runner/variants/index.ts";
import { random } from "../../../src/harness/scheduler/strategies/random.ts";
import { replayChooser } from "../../../src/harness/scheduler/strategies/replay.ts";
import type { ScheduleChooser } from "../../../src/harness/scheduler/strategies/Strategy.ts";
import { quiescence, VirtualScheduler } from "../../../src/harness/scheduler/VirtualScheduler.ts";

const labels = (s: VirtualScheduler) => s.ready().map((p) => p.label);

describe("VirtualScheduler timers", () => {
  it("a timer is a ready point named by its label, with the actor of that label, and does not fire by itself", async () => {
    const s = new VirtualScheduler();
    let fired = 0;
    s.timers.setTimeout("c1.job sleep 300ms", 300, () => (fired += 1));
    expect(s.ready()).toMatchObject([{ label: "c1.job sleep 300ms", actor: "c1.job" }]);
    expect(s.isTimer("c1.job sleep 300ms")).toBe(true);
    // Timers are not counted as waiting points, and neither microtasks nor macrotasks move time.
    expect(s.size).toBe(0);
    await quiescence();
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(fired).toBe(0);
    expect(s.now()).toBe(0);
  });

  it("only the earliest-due timer is ready; releasing it moves virtual time to its due time and runs it", async () => {
    const s = new VirtualScheduler();
    const log: string[] = [];
    s.timers.setTimeout("late", 600, () => log.push(`late@${s.now()}`));
    s.timers.setTimeout("early", 300, () => log.push(`early@${s.now()}`));
    void s.point("p");
    // In creation order: `late` (created first) is not offered while `early` is pending.
    expect(labels(s)).toEqual(["early", "p"]);
    s.release("early");
    // The callback runs inside the release (the fake clock fires it), at the new time.
    expect(log).toEqual(["early@300"]);
    expect(s.now()).toBe(300);
    expect(labels(s)).toEqual(["late", "p"]);
    // Releasing an ordinary point does not move time.
    s.release("p");
    await quiescence();
    expect(s.now()).toBe(300);
    s.release("late");
    expect(log).toEqual(["early@300", "late@600"]);
    expect(s.now()).toBe(600);
    expect(labels(s)).toEqual([]);
    expect(s.alive).toBe(false);
  });

  it("a sleep's continuation runs after the release, once microtasks have flushed", async () => {
    const s = new VirtualScheduler();
    const log: string[] = [];
    void (async () => {
      await new Promise<void>((resolve) => s.timers.setTimeout("sleep", 300, resolve));
      log.push(`woke@${s.now()}`);
      await s.point("after");
    })();
    await quiescence();
    expect(labels(s)).toEqual(["sleep"]);
    s.release("sleep");
    expect(log).toEqual([]);
    await quiescence();
    expect(log).toEqual(["woke@300"]);
    expect(labels(s)).toEqual(["after"]);
  });

  it("timers due at the same time are all ready; releasing one leaves the other ready as an ordinary point", () => {
    const s = new VirtualScheduler();
    const log: string[] = [];
    s.timers.setTimeout("a", 300, () => log.push(`a@${s.now()}`));
    s.timers.setTimeout("b", 300, () => log.push(`b@${s.now()}`));
    s.timers.setTimeout("c", 301, () => log.push(`c@${s.now()}`));
    expect(labels(s)).toEqual(["a", "b"]);
    s.release("b");
    expect(log).toEqual(["b@300"]);
    expect(s.now()).toBe(300);
    // `a` is due: no longer a timer but a waiting point, offered alongside the next timer.
    expect(s.isTimer("a")).toBe(false);
    expect(s.size).toBe(1);
    expect(labels(s)).toEqual(["a", "c"]);
    s.release("a");
    expect(log).toEqual(["b@300", "a@300"]);
    expect(s.now()).toBe(300);
    s.release("c");
    expect(log).toEqual(["b@300", "a@300", "c@301"]);
  });

  it("clearTimeout takes a timer out of the ready set, also once it became a due point", () => {
    const s = new VirtualScheduler();
    let fired = 0;
    const t = s.timers.setTimeout("t", 300, () => (fired += 1));
    s.timers.clearTimeout(t);
    expect(labels(s)).toEqual([]);
    expect(s.alive).toBe(false);
    expect(() => s.release("t")).toThrow(/no ready point 't'/);

    const a = s.timers.setTimeout("a", 100, () => (fired += 1));
    s.timers.setTimeout("b", 100, () => (fired += 10));
    s.release("b");
    expect(labels(s)).toEqual(["a"]);
    s.timers.clearTimeout(a);
    expect(labels(s)).toEqual([]);
    expect(fired).toBe(10);
  });

  it("an unref'd timer alone does not keep the program alive; a ref'd one does", () => {
    const s = new VirtualScheduler();
    s.timers.setTimeout("fallback", 2000, () => {}, { unref: true });
    expect(labels(s)).toEqual(["fallback"]);
    expect(s.alive).toBe(false);
    const ref = s.timers.setTimeout("ref", 3000, () => {});
    expect(s.alive).toBe(true);
    // Still only the earliest is offered.
    expect(labels(s)).toEqual(["fallback"]);
    s.timers.clearTimeout(ref);
    expect(s.alive).toBe(false);
    void s.point("p");
    expect(s.alive).toBe(true);
  });

  it("setInterval re-arms after each firing, one period later; cleared before it fires, it is gone", () => {
    const s = new VirtualScheduler();
    const log: number[] = [];
    s.timers.setInterval("tick", 100, () => log.push(s.now()));
    expect(labels(s)).toEqual(["tick"]);
    s.release("tick");
    expect(labels(s)).toEqual(["tick"]);
    expect(s.isTimer("tick")).toBe(true);
    s.release("tick");
    s.release("tick");
    expect(log).toEqual([100, 200, 300]);
    expect(s.now()).toBe(300);
    expect(s.alive).toBe(true);

    const other = new VirtualScheduler();
    const iv = other.timers.setInterval("tick", 100, () => {});
    other.timers.clearInterval(iv);
    expect(labels(other)).toEqual([]);
    expect(other.alive).toBe(false);
  });

  // Regression: each firing re-arms an interval as a new timer; the handle setInterval returned
  // must still clear it (it once was a silent no-op that kept the program alive forever).
  it("clearInterval with setInterval's handle stops the interval after it has fired", () => {
    const s = new VirtualScheduler();
    const iv = s.timers.setInterval("tick", 100, () => {});
    s.release("tick");
    s.timers.clearInterval(iv);
    expect(labels(s)).toEqual([]);
    expect(s.alive).toBe(false);
  });

  it("the timers' now is the scheduler's now, starting at 0", () => {
    const s = new VirtualScheduler();
    expect(s.timers.now()).toBe(0);
    s.timers.setTimeout("t", 1234, () => {});
    s.release("t");
    expect(s.timers.now()).toBe(1234);
    expect(s.now()).toBe(1234);
  });

  // Regression: @sinonjs/fake-timers schedules a 0 ms timer created during a tick (from inside a
  // released timer's callback) at now + 1; the scheduler must offer it at that due time, or the
  // release ticks by 0, fires nothing and the label stays ready forever.
  it("a 0 ms timer set from inside a released timer's callback fires when it is released (1 ms later, as fake-timers has it)", () => {
    const s = new VirtualScheduler();
    const log: string[] = [];
    s.timers.setTimeout("first", 300, () => s.timers.setTimeout("second", 0, () => log.push(`second@${s.now()}`)));
    s.release("first");
    expect(labels(s)).toEqual(["second"]);
    s.release("second");
    expect(log).toEqual(["second@301"]);
    expect(labels(s)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Issue must-show 4: a scenario's timers fire only as scheduling choices.

const TIMER = "c1.job sleep 300ms";
const scenario = ScenariosMap["child-wake-parent"];

interface Observed {
  readonly result: ScheduleResult;
  /** Every timer callback that ran: its label, the label being released when it ran, and the time. */
  readonly fired: readonly { label: string; releasing: string | undefined; now: number }[];
}

/** Runs schedule `run` of random({ seed: 1 }) on upstream, watching which release each timer callback runs in. */
async function observe(run: number): Promise<Observed> {
  const fired: { label: string; releasing: string | undefined; now: number }[] = [];
  let releasing: string | undefined;
  const inner = random({ seed: 1 }).next(run)!;
  const chooser: ScheduleChooser = {
    choose(ready, step) {
      const index = inner.choose(ready, step);
      releasing = ready[index]?.label;
      return index;
    },
  };
  const watched: RunnerVariant = {
    ...RunnersMap.upstream,
    create(port) {
      const timers = {
        ...port.timers,
        setTimeout: (label: string, ms: number, callback: () => void, options?: { unref?: boolean }) =>
          port.timers.setTimeout(
            label,
            ms,
            () => {
              fired.push({ label, releasing, now: port.now() });
              callback();
            },
            options,
          ),
      };
      return RunnersMap.upstream.create({ ...port, timers });
    },
  };
  const result = await runSchedule({ scenario, runner: watched, invariants: [], chooser, maxSteps: 1000 });
  return { result, fired };
}

/** The time part of a message id `msg_TTTTnnnn`. */
const timeOf = (id: string) => id.slice(4, 8);
const base36 = (ms: number) => ms.toString(36).padStart(4, "0");

describe("child-wake-parent: the job's 300 ms sleep fires only as a scheduling choice (upstream, random seed 1)", () => {
  const RUNS = 2000;
  const observed: Observed[] = [];
  beforeAll(async () => {
    for (let run = 0; run < RUNS; run++) observed.push(await observe(run));
  }, 60_000);

  it(`runs ${RUNS} schedules, all to rest; in some the job sleeps`, () => {
    expect(observed).toHaveLength(RUNS);
    expect(observed.filter((o) => o.result.choices.includes(TIMER)).length).toBeGreaterThan(0);
    expect(observed.every((o) => o.result.end.atRest)).toBe(true);
  });

  it("every timer callback ran inside the release of its own label, once per choice of it, at 300 ms per firing", () => {
    let firings = 0;
    for (const { result, fired } of observed) {
      const chosen = result.choices.filter((c) => c === TIMER).length;
      expect(fired.map((f) => f.releasing)).toEqual(fired.map(() => TIMER));
      expect(fired.map((f) => f.label)).toEqual(fired.map(() => TIMER));
      expect(fired).toHaveLength(chosen);
      expect(fired.map((f) => f.now)).toEqual(fired.map((_, k) => 300 * (k + 1)));
      // Each firing wakes the job's next check; the job never checks twice without a timer in between.
      const checks = result.choices.filter((c) => c === "c1.job check parent").length;
      expect(checks === chosen || checks === chosen + 1, `${checks} checks for ${chosen} firings`).toBe(true);
      firings += chosen;
    }
    expect(firings).toBeGreaterThan(0);
  });

  /** Schedules (by number) in which the first firing of the timer comes before / after the step labelled `label`. */
  function orders(label: string, event: (e: ScheduleResult["trace"][number]) => boolean) {
    const timerFirst: number[] = [];
    const timerAfter: number[] = [];
    observed.forEach(({ result }, run) => {
      const t = result.choices.indexOf(TIMER);
      const m = result.choices.indexOf(label);
      if (t < 0 || m < 0) return;
      // The step really is that event (steps are 1-based).
      expect(result.trace.some((e) => e.step === m + 1 && event(e)), `${label} at step ${m + 1} of schedule ${run}`).toBe(true);
      (t < m ? timerFirst : timerAfter).push(run);
    });
    return { timerFirst, timerAfter };
  }

  it("two schedules order the timer before and after s1's idle publish (within the first 300)", () => {
    const { timerFirst, timerAfter } = orders("s1.run1 publish idle", (e) => e.type === "status" && e.sessionID === "s1" && e.status === "idle");
    expect(timerFirst.filter((r) => r < 300).length).toBeGreaterThan(0);
    expect(timerAfter.filter((r) => r < 300).length).toBeGreaterThan(0);
  });

  it(`two schedules order the timer before and after a message event: s1's reply text is written (within ${RUNS})`, () => {
    const { timerFirst, timerAfter } = orders("s1.run1 write text", (e) => e.type === "message" && e.message.sessionID === "s1" && e.message.role === "assistant");
    expect(timerFirst.length).toBeGreaterThan(0);
    expect(timerAfter.length).toBeGreaterThan(0);
  });

  it("message ids carry virtual time only: 0000 before the first firing, 008c (300 ms) after it, 300 ms more per firing", () => {
    const seen = new Set<string>();
    for (const { result } of observed) {
      const created = new Set<string>();
      for (const e of result.trace) {
        if (e.type !== "message" || created.has(e.message.id)) continue;
        created.add(e.message.id);
        expect(e.message.id).toMatch(/^msg_[0-9a-z]{4}\d{4}$/);
        const firings = result.choices.slice(0, e.step).filter((c) => c === TIMER).length;
        expect(timeOf(e.message.id), `${e.message.id} created at step ${e.step}`).toBe(base36(300 * firings));
        seen.add(timeOf(e.message.id));
      }
    }
    expect(base36(300)).toBe("008c");
    expect(seen).toContain("0000");
    expect(seen).toContain("008c");
  });

  it("replaying each schedule's choices gives the same choices and the same trace", async () => {
    for (const { result } of observed) {
      const again = await runSchedule({ scenario, runner: RunnersMap.upstream, invariants: [], chooser: replayChooser(result.choices), maxSteps: 1000 });
      expect(again.choices).toEqual(result.choices);
      expect(again.trace).toEqual(result.trace);
    }
  });
});
