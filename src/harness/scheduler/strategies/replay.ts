import { ReplayDivergence } from "../../errors.ts";
import type { ScheduleChooser, Strategy } from "./Strategy.ts";

/**
 * Strict replay of a recorded schedule: at each step release the point with the recorded
 * label. When the run no longer offers it, or the run and the recording end at different
 * steps, throw {@link ReplayDivergence} saying where and what was offered instead.
 */
export function replay(choices: readonly string[]): Strategy {
  return {
    name: "replay",
    independent: false,
    next(run) {
      return run === 0 ? replayChooser(choices) : undefined;
    },
  };
}

/** The chooser behind {@link replay}. */
export function replayChooser(choices: readonly string[]): ScheduleChooser {
  return {
    choose(ready, step) {
      const wanted = choices[step];
      const offered = ready.map((p) => `'${p.label}'`).join(", ");
      if (wanted === undefined) {
        throw new ReplayDivergence(
          `the recording ends after ${choices.length} steps but the run still offers ${offered}: the code under test has changed`,
          step + 1,
        );
      }
      const index = ready.findIndex((p) => p.label === wanted);
      if (index < 0) {
        throw new ReplayDivergence(
          `the recording releases '${wanted}' but the run offers only ${offered}: the code under test has changed`,
          step + 1,
        );
      }
      return index;
    },
    finish(steps) {
      if (steps < choices.length) {
        throw new ReplayDivergence(
          `schedule ended early: the run came to rest after ${steps} steps but the recording has ${choices.length} (next: '${choices[steps]}')`,
          steps + 1,
        );
      }
    },
  };
}
