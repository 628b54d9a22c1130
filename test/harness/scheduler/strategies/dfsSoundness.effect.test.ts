import { soundnessSuite } from "../../../support/dfsSoundness.ts";

// Effect steps cost more and the adapter reports every fiber step as writing one shared key,
// so few interleavings commute: a small budget, mostly bound 0 and 1.
for (const runner of ["effect-upstream", "effect-pr-21528", "effect-fixed"]) soundnessSuite(runner, 250);
