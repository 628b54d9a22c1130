import type { Fiber } from "effect";

/**
 * A fiber as racelab's scheduler sees it: Effect's public `Fiber` (its context references,
 * its exit, exit observers) plus the one internal it reads, the current span, which every
 * Effect 4 fiber has as `currentSpanLocal` (4.0 betas and 4.1 alike).
 */
export type EffectFiber = Fiber.Fiber<unknown, unknown> & {
  readonly currentSpanLocal?: { readonly name: string } | undefined;
};
