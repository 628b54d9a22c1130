import { Context, Effect } from "effect";
import type { LlmReply, LlmRequest, RunnerEvent, RunnerPort } from "../port.ts";

/**
 * The runner port as an Effect service: how Effect code under racelab reports what it does
 * (the invariants read only these events) and calls the LLM. racelab provides it to every
 * fiber it runs; a program reads it with `yield* RacelabPort`.
 */
export class RacelabPort extends Context.Service<RacelabPort, RunnerPort>()("racelab/RacelabPort") {}

/**
 * The label a program gives its fibers, inherited like any context value: racelab names a
 * fiber by it (`s1.run1`), and its unlabelled children by their path below it
 * (`s1.run1/fork#1`). A fiber is named by the label it is forked with, so provide it around
 * the fork: `Effect.forkIn(loop, scope).pipe(withLabel("s1.run1"))`.
 */
export const Label = Context.Reference<string | undefined>("racelab/Label", { defaultValue: () => undefined });

/** Runs `effect` with {@link Label} set to `label`: fibers it forks are named `label`. */
export const withLabel =
  (label: string) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.provideService(effect, Label, label);

/** Reports an event through the port (one synchronous call, inside the current step). */
export const trace = (event: RunnerEvent): Effect.Effect<void, never, RacelabPort> =>
  Effect.flatMap(Effect.service(RacelabPort), (port) => Effect.sync(() => port.trace(event)));

/** One LLM step through the port: itself a scheduling point (`<runID> llm`). */
export const llm = (request: LlmRequest): Effect.Effect<LlmReply, never, RacelabPort> =>
  Effect.flatMap(Effect.service(RacelabPort), (port) => Effect.promise(() => port.llm(request)));
