import { describe, expect, it } from "vitest";
import { random, runSeed } from "../../../../src/harness/scheduler/strategies/random.ts";

const ready = Array.from({ length: 7 }, (_, id) => ({ id, label: `p${id} step`, actor: `p${id}` }));
const picks = (seed: number, run: number) => {
  const chooser = random({ seed }).next(run)!;
  return Array.from({ length: 40 }, (_, step) => chooser.choose(ready, step));
};

describe("random strategy", () => {
  it("makes the same choices for the same seed and schedule number (seed 1)", () => {
    expect(picks(1, 3)).toEqual(picks(1, 3));
  });

  it("makes different choices for different seeds and for different schedules", () => {
    expect(picks(1, 3)).not.toEqual(picks(2, 3));
    expect(picks(1, 3)).not.toEqual(picks(1, 4));
  });

  it("only picks inside the ready set and uses all of it", () => {
    const all = new Set(Array.from({ length: 50 }, (_, r) => picks(9, r)).flat());
    expect([...all].sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it("mixes seed and schedule number into distinct 32-bit seeds", () => {
    const seeds = new Set(Array.from({ length: 1000 }, (_, r) => runSeed(1, r)));
    expect(seeds.size).toBe(1000);
  });
});
