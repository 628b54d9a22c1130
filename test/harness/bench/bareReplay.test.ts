import { describe, expect, it } from "vitest";
import { FloorScheduler, replayOnFloor } from "../../../src/harness/bench/bareReplay.ts";
import { recordSchedules } from "../../../src/harness/bench/measure.ts";
import { Interrupted } from "../../../src/boundaries/port.ts";
import { ScenariosMap } from "../../../src/harness/scenario/builtin/index.ts";
import { quiescence } from "../../../src/harness/scheduler/VirtualScheduler.ts";
import { RunnersMap } from "../../../src/subjects/runner/variants/index.ts";

describe("the bench's floor: racelab's schedules replayed on a trivial scheduler", () => {
  // Timers (child-wake-parent polls), interrupts (the cancels) and a run command (sync-child).
  for (const name of ["child-wake-parent", "cancel-race", "cancel-parent-with-children", "sync-child"] as const) {
    it(`${name}: follows every schedule racelab ran, step for step, to rest`, async () => {
      const scenario = ScenariosMap[name];
      const recorded = await recordSchedules(scenario, RunnersMap.fixed, 40);
      expect(recorded.choices).toHaveLength(40);
      const replay = await replayOnFloor(scenario, RunnersMap.fixed, recorded.choices, recorded.atRest, 8);
      expect(replay).toEqual({ schedules: 40, steps: recorded.choices.reduce((n, c) => n + c.length, 0), diverged: 0 });
    });
  }

  it("counts a schedule it cannot follow: a label nobody waits on, or one cut short of rest", async () => {
    const scenario = ScenariosMap["double-prompt-async"];
    const { choices, atRest } = await recordSchedules(scenario, RunnersMap.fixed, 3);
    const wrong = [["nobody waits here"], choices[1]!.slice(0, 2), choices[2]!];
    expect(await replayOnFloor(scenario, RunnersMap.fixed, wrong, atRest, 3)).toMatchObject({ schedules: 3, diverged: 2 });
  });

  it("names points and timers as racelab does, moves time only by releasing a timer, and interrupts waiting points", async () => {
    const floor = new FloorScheduler();
    const abort = new AbortController();
    const outcome = (p: Promise<void>) => p.then(() => "released", (e: unknown) => (e instanceof Interrupted ? "interrupted" : "other"));
    const a = outcome(floor.point("x", { signal: abort.signal }));
    const b = outcome(floor.point("x"));
    const fired: number[] = [];
    floor.timers.setTimeout("t", 50, () => {
      fired.push(floor.timers.now());
      // Set while the released timer fires: 0 ms is 1 ms later, as on racelab's fake clock.
      floor.timers.setTimeout("t0", 0, () => fired.push(floor.timers.now()));
    });
    floor.timers.setTimeout("tie", 50, () => fired.push(floor.timers.now()));
    expect(floor.release("x (2)")).toBe(true);
    expect(floor.release("t")).toBe(true);
    expect(floor.release("tie")).toBe(true);
    expect(floor.release("t0")).toBe(true);
    expect(fired).toEqual([50, 50, 51]);
    abort.abort();
    await quiescence();
    expect([await a, await b]).toEqual(["interrupted", "released"]);
    expect(floor.release("x")).toBe(false);
    expect(floor.atRest).toBe(true);
  });
});
