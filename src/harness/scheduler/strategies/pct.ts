import { uniformInt } from "pure-rand/distribution/uniformInt";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
import { runSeed } from "./random.ts";
import { STRATEGY_DEFAULTS, type StrategyFactory } from "./Strategy.ts";

/** Initial priorities live above this band; change points lower an actor to 1..d-1. */
const BAND = 2 ** 31;

/**
 * Probabilistic Concurrency Testing (Burckhardt, Kothari, Musuvathi, Nagarakatte, ASPLOS
 * 2010). Each actor gets a random priority when it first shows up (a random place in the
 * priority order, as for dynamically created threads); the highest-priority ready actor
 * always runs. At d-1 change points, drawn uniformly from the k steps of the scenario, the
 * actor about to run drops to priority i (i = 1..d-1, below every initial priority) and a
 * lower one runs instead. With n actors and k steps one schedule finds a bug of depth d with
 * probability at least 1/(n k^(d-1)).
 */
export const pct: StrategyFactory = ({ seed, depth = STRATEGY_DEFAULTS.depth }) => {
  // invariant: k >= 1 and n >= 1 once prepared; the probe schedule's steps and actors.
  let k = 64;
  let n = 2;
  return {
    name: "pct",
    independent: true,
    prepare(probe) {
      k = Math.max(1, probe.steps);
      n = Math.max(1, probe.actors);
    },
    next(run) {
      const rng = xoroshiro128plus(runSeed(seed ^ 0x5bd1e995, run));
      const changeAt = new Map<number, number>();
      for (let i = 1; i < depth && changeAt.size < k; i++) {
        let step = uniformInt(rng, 0, k - 1);
        while (changeAt.has(step)) step = (step + 1) % k;
        changeAt.set(step, depth - i);
      }
      const priority = new Map<string, number>();
      return {
        choose(ready, step) {
          for (const p of ready) {
            if (!priority.has(p.actor)) priority.set(p.actor, depth * BAND + uniformInt(rng, 0, BAND - 1));
          }
          const best = () => {
            let index = 0;
            for (let i = 1; i < ready.length; i++) {
              if (priority.get(ready[i]!.actor)! > priority.get(ready[index]!.actor)!) index = i;
            }
            return index;
          };
          const lowered = changeAt.get(step);
          if (lowered !== undefined) priority.set(ready[best()]!.actor, lowered);
          return best();
        },
      };
    },
    summary() {
      const bound = 1 / (n * k ** (depth - 1));
      return {
        text: `PCT depth ${depth}: n=${n} actors, k=${k} steps; each schedule finds a depth-${depth} bug with probability >= 1/(n·k^${depth - 1}) = ${bound.toExponential(2)}`,
        depth,
        actors: n,
        steps: k,
        bound,
      };
    },
  };
};
