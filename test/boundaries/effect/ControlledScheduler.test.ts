import { Clock, Deferred, Effect, Fiber, Scope } from "effect";
import { describe, expect, it } from "vitest";
import { effectRunner, type EffectSessionHandlers } from "../../../src/boundaries/effect/effectRunner.ts";
import { trace, withLabel, type RacelabPort } from "../../../src/boundaries/effect/RacelabPort.ts";
import type { RunnerVariant } from "../../../src/boundaries/port.ts";
import { runSchedule } from "../../../src/harness/explore/runSchedule.ts";
import { InvariantsMap } from "../../../src/harness/invariants/index.ts";
import { defineScenario } from "../../../src/harness/scenario/parseScenario.ts";
import { random } from "../../../src/harness/scheduler/strategies/random.ts";
import { replayChooser } from "../../../src/harness/scheduler/strategies/replay.ts";
import type { ScheduleChooser } from "../../../src/harness/scheduler/strategies/Strategy.ts";
import { effectVersionUnderTest } from "./support.ts";

/** One client, one prompt: the scenario every program below is driven by. */
const scenario = defineScenario({
  name: "one-prompt",
  description: "one client prompts once",
  sessions: ["s1"],
  llm: {},
  clients: [{ name: "a", actions: [{ kind: "prompt", session: "s1", parts: ["hi"] }] }],
  invariants: ["runner-error"],
});

/** A runner whose prompt runs `body` (the rest of the port does nothing). */
function runnerOf(body: () => Effect.Effect<void, unknown, RacelabPort>, granularity?: "step" | "suspend"): RunnerVariant {
  const handlers: EffectSessionHandlers = {
    prompt: () => Effect.as(body(), {}),
    promptAsync: () => Effect.void,
    cancel: () => Effect.void,
  };
  return effectRunner({ name: "test", description: "test", make: Effect.succeed(handlers), ...(granularity && { granularity }) });
}

const oldest: ScheduleChooser = { choose: () => 0 };
const run = (runner: RunnerVariant, chooser: ScheduleChooser = oldest) =>
  runSchedule({ scenario, runner, invariants: [InvariantsMap["runner-error"], InvariantsMap.nondeterminism], chooser, maxSteps: 5000 });

describe(`racelab/effect's controlled scheduler (effect ${effectVersionUnderTest()})`, () => {
  it("makes every effect step of every fiber a point: a fiber of n steps takes at least n releases, labelled by the client's request", async () => {
    const steps = (n: number) => Effect.forEach(Array.from({ length: n }, (_, i) => i), () => Effect.sync(() => {}), { discard: true });
    const short = await run(runnerOf(() => steps(2)));
    const long = await run(runnerOf(() => steps(12)));
    const mine = (r: typeof short) => r.choices.filter((c) => c.startsWith("a1 "));
    expect(mine(short)[0]).toBe("a1 start");
    expect(mine(long).length - mine(short).length).toBeGreaterThanOrEqual(10);
    expect(long.violations).toEqual([]);
    expect(long.end.atRest).toBe(true);
  });

  it("names forked fibers by their label, or by their path below the forking fiber, never by fiber id", async () => {
    const body = () =>
      Effect.gen(function* () {
        const scope = yield* Scope.make();
        const a = yield* Effect.forkIn(Effect.sync(() => {}), scope);
        const b = yield* Effect.forkIn(Effect.sync(() => {}), scope).pipe(withLabel("worker"));
        yield* Fiber.await(a);
        yield* Fiber.await(b);
      });
    const first = await run(runnerOf(body));
    const second = await run(runnerOf(body));
    expect(first.choices).toContain("a1/fork#1 start");
    expect(first.choices).toContain("worker start");
    // The same program gets the same labels in a later run, though Effect's fiber ids have moved on.
    expect(second.choices).toEqual(first.choices);
    expect(first.choices.some((c) => /#\d{2,}|fiber/i.test(c))).toBe(false);
  });

  it("puts the Effect.fn span in a point's label", async () => {
    const named = Effect.fn("Runner.finishRun")(function* () {
      yield* Effect.sync(() => {});
      yield* Effect.sync(() => {});
    });
    const r = await run(runnerOf(() => named()));
    expect(r.choices.some((c) => c.startsWith("a1 step · Runner.finishRun"))).toBe(true);
  });

  it("wakes a fiber that waits on a Deferred as its own point, after the completer's step", async () => {
    const body = () =>
      Effect.gen(function* () {
        const done = yield* Deferred.make<void>();
        const scope = yield* Scope.make();
        yield* Effect.forkIn(Deferred.succeed(done, undefined), scope).pipe(withLabel("completer"));
        yield* Deferred.await(done);
      });
    // a1 goes on while it can: it reaches the await before the completer has run.
    const a1First: ScheduleChooser = { choose: (ready) => Math.max(0, ready.findIndex((p) => p.actor === "a1")) };
    const r = await run(runnerOf(body), a1First);
    const completed = r.choices.indexOf("completer start");
    expect(completed).toBeGreaterThan(0);
    expect(r.choices.slice(completed + 1)).toEqual(["a1 wake", ...r.choices.slice(completed + 2)]);
    expect(r.choices[completed + 1]).toBe("a1 wake");
  });

  it("with granularity suspend, only starts, wake-ups, sleeps and yields are points", async () => {
    const body = () =>
      Effect.gen(function* () {
        for (let i = 0; i < 20; i++) yield* Effect.sync(() => {});
        yield* Effect.yieldNow;
        for (let i = 0; i < 20; i++) yield* Effect.sync(() => {});
        yield* Effect.sleep(100);
      });
    const r = await run(runnerOf(body, "suspend"));
    expect(r.choices.filter((c) => c.startsWith("a1"))).toEqual(["a1 start", "a1 yield", "a1 sleep 100ms"]);
    const fine = await run(runnerOf(body));
    expect(fine.choices.filter((c) => c.startsWith("a1 step")).length).toBeGreaterThan(30);
  });

  it("runs Effect.sleep on the run's virtual clock: a due sleeper is a point, and time moves only when it is released", async () => {
    const times: number[] = [];
    const body = () =>
      Effect.gen(function* () {
        times.push(yield* Clock.currentTimeMillis);
        yield* Effect.sleep(300);
        times.push(yield* Clock.currentTimeMillis);
      });
    const r = await run(runnerOf(body));
    expect(r.choices).toContain("a1 sleep 300ms");
    expect(times).toEqual([0, 300]);
  });

  it("offers sleepers with the same deadline in either order", async () => {
    const order: string[][] = [];
    const body = (log: string[]) => () =>
      Effect.gen(function* () {
        const scope = yield* Scope.make();
        const x = yield* Effect.forkIn(Effect.andThen(Effect.sleep(50), Effect.sync(() => log.push("x"))), scope).pipe(withLabel("x"));
        const y = yield* Effect.forkIn(Effect.andThen(Effect.sleep(50), Effect.sync(() => log.push("y"))), scope).pipe(withLabel("y"));
        yield* Fiber.await(x);
        yield* Fiber.await(y);
      });
    for (let i = 0; i < 40; i++) {
      const log: string[] = [];
      await run(runnerOf(body(log)), random({ seed: 3 }).next(i)!);
      order.push(log);
    }
    const seen = new Set(order.map((o) => o.join("")));
    expect(seen).toEqual(new Set(["xy", "yx"]));
  });

  it("replays a schedule exactly: the same choices give the same trace", async () => {
    const body = () =>
      Effect.gen(function* () {
        const scope = yield* Scope.make();
        const fibers = [];
        for (let i = 0; i < 3; i++) fibers.push(yield* Effect.forkIn(trace({ type: "wait.end", waiter: `w${i}` }), scope));
        for (const f of fibers) yield* Fiber.await(f);
      });
    const runner = runnerOf(body);
    for (let i = 0; i < 10; i++) {
      const first = await run(runner, random({ seed: 9 }).next(i)!);
      const again = await run(runner, replayChooser(first.choices));
      expect(again.choices).toEqual(first.choices);
      expect(again.trace).toEqual(first.trace);
    }
  });

  it("a real setTimeout inside a run is a nondeterminism finding at its step, not a hang", async () => {
    const body = () => Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, 1)));
    const r = await run(runnerOf(body));
    expect(r.violations.map((v) => v.invariant)).toEqual(["nondeterminism"]);
    expect(r.violations[0]!.message).toMatch(/real setTimeout \(setTimeout\(…, 1 ms\)\) at step \d+/);
    expect(r.end.atRest).toBe(false);
  });

  it("a fiber that dies is a runner-error finding, with the defect's message", async () => {
    const r = await run(runnerOf(() => Effect.die(new Error("boom"))));
    expect(r.violations.map((v) => v.invariant)).toEqual(["runner-error"]);
    expect(r.violations[0]!.message).toContain("boom");
  });
});

describe(`Effect's own semantics the reference runner depends on (effect ${effectVersionUnderTest()})`, () => {
  it("a fiber interrupted before its first step never runs its onExit (so a run cancelled before it starts never finishes by itself)", async () => {
    const program = Effect.gen(function* () {
      const scope = yield* Scope.make();
      let finalized = false;
      const fiber = yield* Effect.forkIn(Effect.never.pipe(Effect.onExit(() => Effect.sync(() => (finalized = true)))), scope);
      yield* Fiber.interrupt(fiber);
      return finalized;
    });
    expect(await Effect.runPromise(program)).toBe(false);
  });
});
