/**
 * `racelab/effect`: racelab's scheduler under Effect programs. Wrap Effect code in
 * {@link effectRunner} and racelab explores the interleavings of its fibers, step by step,
 * on virtual time, with every strategy, shrinking, replay, the gate, fuzz and raceTest.
 *
 * ```ts
 * import { effectRunner, referenceServer, designs } from "racelab/effect";
 * import * as Runner from "./Runner.ts"; // your copy of the reference Runner, or your own
 * export default effectRunner({ name: "mine", description: "my runner", make: referenceServer(designs.fixed, Runner) });
 * ```
 *
 * It runs on the `effect` the project has installed (a peer dependency, {@link SUPPORTED_EFFECT}).
 */
export { effectRunner, type ArrivingCall, type EffectRunnerOptions, type EffectSessionHandlers } from "./effectRunner.ts";
export { Label, llm, RacelabPort, trace, withLabel } from "./RacelabPort.ts";
export { ControlledScheduler, type Granularity } from "./ControlledScheduler.ts";
export { checkEffectVersion, effectVersion, SUPPORTED_EFFECT } from "./supportedVersion.ts";
export { makeServer as referenceServer } from "../../subjects/effect-runner/server.ts";
export type { RunnerModule } from "../../subjects/effect-runner/Instance.ts";
export * as Runner from "../../subjects/effect-runner/Runner.ts";
import { upstreamDesign, type RunnerDesign } from "../../subjects/runner/design.ts";
import { fixedDesign } from "../../subjects/runner/variants/fixed.ts";

/** The reference designs (docs/design.md): as upstream was, with PR #21528, and correct. */
export const designs: { readonly upstream: RunnerDesign; readonly "pr-21528": RunnerDesign; readonly fixed: RunnerDesign } = {
  upstream: upstreamDesign,
  "pr-21528": { ...upstreamDesign, recheckBeforeBreak: true },
  fixed: fixedDesign,
};
export type { RunnerDesign };
