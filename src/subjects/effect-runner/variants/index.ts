import { effectRunner } from "../../../boundaries/effect/effectRunner.ts";
import type { RunnerVariant } from "../../../boundaries/port.ts";
import { upstreamDesign } from "../../runner/design.ts";
import { fixedDesign } from "../../runner/variants/fixed.ts";
import { makeServer } from "../server.ts";
import { EffectRunnerDescriptions, type EffectRunnerName } from "./descriptions.ts";

const variant = (name: EffectRunnerName, design: typeof upstreamDesign): RunnerVariant =>
  effectRunner({ name, description: EffectRunnerDescriptions[name], make: makeServer(design) });

/**
 * The Effect reference runner's variants: the same designs as the plain runner's
 * (`upstream`, `pr-21528`, `fixed`), written in Effect v4 and run on the project's `effect`.
 * Importing this module loads `effect`.
 */
export const EffectRunnersMap = {
  "effect-upstream": variant("effect-upstream", upstreamDesign),
  "effect-pr-21528": variant("effect-pr-21528", { ...upstreamDesign, recheckBeforeBreak: true }),
  "effect-fixed": variant("effect-fixed", fixedDesign),
} as const satisfies Record<EffectRunnerName, RunnerVariant>;
