import { uniformInt } from "pure-rand/distribution/uniformInt";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
import type { StrategyFactory } from "./Strategy.ts";

/**
 * Uniform random walk: at each step release one ready point chosen uniformly. Schedule `r`
 * draws from its own generator seeded from `(seed, r)`, so schedules are independent and the
 * same seed gives the same schedules in any order.
 */
export const random: StrategyFactory = ({ seed }) => ({
  name: "random",
  independent: true,
  next(run) {
    const rng = xoroshiro128plus(runSeed(seed, run));
    return { choose: (ready) => (ready.length === 1 ? 0 : uniformInt(rng, 0, ready.length - 1)) };
  },
});

/** Mixes an exploration seed and a schedule number into one 32-bit seed (murmur3 finaliser). */
export function runSeed(seed: number, run: number): number {
  let h = (Math.imul(seed | 0, 0x9e3779b1) ^ run) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}
