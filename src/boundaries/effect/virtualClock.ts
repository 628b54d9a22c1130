import { Duration, Effect, Fiber, type Clock } from "effect";
import type { Timers } from "../port.ts";
import type { ControlledScheduler } from "./ControlledScheduler.ts";
import type { EffectFiber } from "./effectTypes.ts";

/**
 * Effect's `Clock` service on the run's virtual time: `sleep` sets a timer on racelab's fake
 * clock, so a due sleeper is a ready point labelled `<actor> sleep <ms>ms`, and releasing it
 * advances time to its deadline and resumes the fiber for one step. Time moves only then;
 * the wall clock is never read. Sleepers with equal deadlines are offered in every order.
 * Interrupting a sleeping fiber clears its timer.
 */
export function virtualClock(timers: Timers, scheduler: ControlledScheduler | undefined): Clock.Clock {
  const millis = () => timers.now();
  const nanos = () => BigInt(Math.round(timers.now())) * 1_000_000n;
  return {
    currentTimeMillisUnsafe: millis,
    currentTimeMillis: Effect.sync(millis),
    currentTimeNanosUnsafe: nanos,
    currentTimeNanos: Effect.sync(nanos),
    // Effect 4.1 reads these; the 4.0 betas do not have them.
    monotonicTimeNanosUnsafe: nanos,
    monotonicTimeNanos: Effect.sync(nanos),
    sleep(duration: Duration.Duration): Effect.Effect<void> {
      const ms = Duration.toMillis(duration);
      if (!Number.isFinite(ms)) return Effect.never;
      return Effect.callback<void>((resume) => {
        const fiber = Fiber.getCurrent() as EffectFiber | undefined;
        const node = fiber && scheduler?.names.get(fiber);
        const actor = node ? node.name : "effect";
        const handle = timers.setTimeout(`${actor} sleep ${formatMs(ms)}`, Math.max(0, ms), () => {
          if (fiber && scheduler) scheduler.resumeGranted(fiber, () => resume(Effect.void));
          else resume(Effect.void);
        });
        return Effect.sync(() => timers.clearTimeout(handle));
      });
    },
  } as Clock.Clock;
}

function formatMs(ms: number): string {
  return ms >= 1000 && ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
