import { pct } from "./pct.ts";
import { random } from "./random.ts";
import type { Strategy, StrategyFactory } from "./Strategy.ts";

/**
 * The default: several strategies interleaved within one budget (as Coyote's and Shuttle's
 * portfolios): schedule r goes to member r mod m, as that member's schedule floor(r / m).
 * Members: PCT at depth 2 and 3 (most real bugs have depth 1-3) and the uniform random
 * walk. All are independent, so the portfolio is too.
 */
export const portfolio: StrategyFactory = (options) => {
  const members: Strategy[] = [pct({ ...options, depth: 2 }), pct({ ...options, depth: 3 }), random(options)];
  const names = ["pct(d=2)", "pct(d=3)", "random"];
  return {
    name: "portfolio",
    independent: true,
    prepare(probe) {
      for (const m of members) m.prepare?.(probe);
    },
    next(run) {
      return members[run % members.length]!.next(Math.floor(run / members.length));
    },
    summary() {
      return {
        text: `portfolio of ${names.join(", ")}, interleaved: schedule r runs member r mod ${members.length}`,
        members: names,
      };
    },
  };
};
