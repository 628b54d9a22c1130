import fc from "fast-check";
import type { Scenario } from "../scenario/schema.ts";

/**
 * Which features a swarm configuration turns on (swarm testing, Groce et al., ISSTA 2012:
 * each test leaves a random subset of features out, so the features it keeps interleave more
 * densely and no feature can suppress another everywhere). Each seed randomises them.
 *
 * invariant (of every generated scenario): on = the scenario uses the feature at least
 * once, off = never; `featuresOf(scenario)` gives back exactly this set.
 */
export interface SwarmFeatures {
  /** A client sends `prompt_async` (returns at once; the message is written after). */
  readonly promptAsync: boolean;
  /** A client sends a synchronous `prompt` (waits for the reply). */
  readonly syncPrompt: boolean;
  /** A client prompt is `noReply` (stored, no loop started). Needs a client prompt. */
  readonly noReply: boolean;
  /** A client prompt carries its own `messageID`, sorting below (or above) every server id. Needs a client prompt. */
  readonly clientIds: boolean;
  /** A prompt (client, run or child task) has 2-3 parts, each its own write: torn reads. */
  readonly multiPart: boolean;
  /** A client cancels a session (`POST /session/:id/abort`). */
  readonly cancel: boolean;
  /** An LLM reply calls a plain tool that asks nothing: a multi-step turn. */
  readonly toolSteps: boolean;
  /** An LLM reply calls the sync `task` tool: a child session awaited inside the tool call. */
  readonly syncChild: boolean;
  /** An LLM reply starts a background child, plugin or job style. */
  readonly backgroundChild: boolean;
  /** A tool call asks permission. Only in the session tree the `run` command owns (its observer answers). Needs `run`. */
  readonly permission: boolean;
  /** An LLM step fails (`{error}`), going through `halt`. */
  readonly llmError: boolean;
  /** The `run` command: a sync prompt watched by an observer, then instance dispose. */
  readonly run: boolean;
}

/** The feature names, in a fixed order (reports, tests). */
export const SWARM_FEATURES = [
  "promptAsync",
  "syncPrompt",
  "noReply",
  "clientIds",
  "multiPart",
  "cancel",
  "toolSteps",
  "syncChild",
  "backgroundChild",
  "permission",
  "llmError",
  "run",
] as const satisfies readonly (keyof SwarmFeatures)[];

export type SwarmFeature = (typeof SWARM_FEATURES)[number];

/**
 * A swarm configuration: every feature on with probability 1/2, then made consistent. A
 * configuration needs something that prompts (a client prompt or the run command);
 * `noReply` and `clientIds` need a client prompt; `permission` needs `run`, since only the
 * run command's observer answers asks (anywhere else an ask waits forever by design).
 */
export function swarmFeaturesArbitrary(): fc.Arbitrary<SwarmFeatures> {
  const bits = Object.fromEntries(SWARM_FEATURES.map((f) => [f, fc.boolean()])) as { [K in SwarmFeature]: fc.Arbitrary<boolean> };
  return fc
    .record(bits)
    .filter((f) => f.promptAsync || f.syncPrompt || f.run)
    .map((f): SwarmFeatures => {
      const clientPrompts = f.promptAsync || f.syncPrompt;
      return { ...f, noReply: f.noReply && clientPrompts, clientIds: f.clientIds && clientPrompts, permission: f.permission && f.run };
    });
}

/** The features a scenario actually uses (read from the scenario alone). */
export function featuresOf(scenario: Scenario): SwarmFeatures {
  const actions = scenario.clients.flatMap((c) => c.actions);
  const prompts = actions.flatMap((a) => (a.kind === "cancel" ? [] : [a]));
  const replies = Object.values(scenario.llm).flat();
  const calls = replies.flatMap((r) => ("toolCalls" in r ? r.toolCalls : []));
  const childParts = calls.flatMap((c) => (c.child ? [c.child.parts] : []));
  const allParts = [...prompts.map((p) => p.parts), ...(scenario.run ? [scenario.run.parts] : []), ...childParts];
  return {
    promptAsync: actions.some((a) => a.kind === "prompt_async"),
    syncPrompt: actions.some((a) => a.kind === "prompt"),
    noReply: prompts.some((p) => p.noReply === true),
    clientIds: prompts.some((p) => p.messageID !== undefined),
    multiPart: allParts.some((parts) => parts.length > 1),
    cancel: actions.some((a) => a.kind === "cancel"),
    toolSteps: calls.some((c) => c.child === undefined && c.ask !== true),
    syncChild: calls.some((c) => c.child !== undefined && c.child.background === undefined),
    backgroundChild: calls.some((c) => c.child?.background !== undefined),
    permission: calls.some((c) => c.ask === true),
    llmError: replies.some((r) => "error" in r),
    run: scenario.run !== undefined,
  };
}

/** `a` uses no feature that `b` leaves off. */
export function featuresWithin(a: SwarmFeatures, b: SwarmFeatures): boolean {
  return SWARM_FEATURES.every((f) => !a[f] || b[f]);
}

/** The features that are on, as a short stable label: `promptAsync+cancel+run`. */
export function describeFeatures(features: SwarmFeatures): string {
  const on = SWARM_FEATURES.filter((f) => features[f]);
  return on.length > 0 ? on.join("+") : "(none)";
}
