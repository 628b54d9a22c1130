/**
 * The Effect reference runner's variants by name, with their descriptions: the registry that
 * does not load `effect` (an optional peer dependency). `loadRunner` imports the variants
 * themselves (`./index.ts`) only when one is asked for.
 */
export const EffectRunnerDescriptions = {
  "effect-upstream": "the Effect reference runner (SynchronizedRef runner, Deferred done, forkIn + onExit(finishRun)) as upstream was: join on Running, onIdle outside the lock, id-order exit test",
  "effect-pr-21528": "effect-upstream + PR #21528: re-read the messages before break (narrows the lost wake-up, does not close it)",
  "effect-fixed": "the Effect reference runner with the correct design (docs/design.md §8): pending flag + restart under the lock, guarded delete, truthful idle, answer by parent link, busy from acceptance, tree cancel",
} as const;

export type EffectRunnerName = keyof typeof EffectRunnerDescriptions;

/** Whether `name` is one of the Effect reference runner's variants. */
export function isEffectRunnerName(name: string): name is EffectRunnerName {
  return Object.hasOwn(EffectRunnerDescriptions, name);
}
