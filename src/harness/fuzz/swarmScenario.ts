import fc from "fast-check";
import { HarnessError, InputError } from "../errors.ts";
import { defineScenario } from "../scenario/parseScenario.ts";
import type { Action, Reply, Scenario, ScenarioInput } from "../scenario/schema.ts";
import { describeFeatures, featuresOf, SWARM_FEATURES, swarmFeaturesArbitrary, type SwarmFeatures } from "./features.ts";

export { describeFeatures, featuresOf, featuresWithin, SWARM_FEATURES, swarmFeaturesArbitrary, type SwarmFeature, type SwarmFeatures } from "./features.ts";

/** One scenario of a fuzz campaign and the swarm configuration it was generated under. */
export interface GeneratedScenario {
  readonly scenario: Scenario;
  /** Exactly the features the scenario uses (`featuresOf(scenario)` equals it). */
  readonly features: SwarmFeatures;
}

/**
 * Size limits of a generated scenario: small enough that a couple of hundred schedules
 * explore it well. `actions` may be exceeded by one where a forced feature needs room.
 */
export const SWARM_LIMITS = {
  sessions: 3,
  clients: 3,
  actions: 3,
  /** Replies scripted per declared session (then the LLM answers "ok"). */
  replies: 3,
  /** Replies scripted per child session. */
  childReplies: 2,
  /** Child sessions per scenario, created by task calls. */
  children: 3,
  /** Children exist down to this depth (1 = children of declared sessions, 2 = grandchildren). */
  childDepth: 2,
} as const;

/** Options of {@link swarmScenarioArbitrary}. */
export interface SwarmScenarioOptions {
  /** The scenario's name (lowercase letters, digits, '-'). Default `fuzz`. */
  readonly name?: string;
}

/**
 * The arbitrary: first the feature set (swarm), then a scenario using exactly those features.
 * Every value goes through `defineScenario`, so it is valid; shrinking works through
 * fast-check's `gen` (fewer and simpler choices).
 */
export function swarmScenarioArbitrary(options: SwarmScenarioOptions = {}): fc.Arbitrary<GeneratedScenario> {
  const name = options.name ?? "fuzz";
  return swarmFeaturesArbitrary().chain((features) => fc.gen().map((g) => buildScenario(name, features, diceOf(g))));
}

/**
 * Deterministic: the `index`-th scenario of a fuzz campaign with this seed, the same on every
 * machine and in every worker (one fast-check sample, seeded by a 32-bit mix of both), named
 * `fuzz-<seed>-<index>`.
 */
export function generateScenario(seed: number, index: number): GeneratedScenario {
  if (!Number.isSafeInteger(seed)) throw new InputError(`fuzz seed ${seed} is not an integer; pass a whole number such as 1`);
  if (!Number.isSafeInteger(index) || index < 0) throw new InputError(`scenario index ${index} is not a whole number >= 0; campaigns count scenarios from 0`);
  const arbitrary = swarmScenarioArbitrary({ name: `fuzz-${seed}-${index}` });
  const [generated] = fc.sample(arbitrary, { seed: campaignSeed(seed, index), numRuns: 1 });
  if (!generated) throw new HarnessError(`fast-check returned no sample for fuzz seed ${seed}, index ${index}`);
  return generated;
}

/** A 32-bit mix of a campaign seed (any safe integer) and a scenario index (murmur3's finaliser). */
export function campaignSeed(seed: number, index: number): number {
  const lo = seed >>> 0;
  const hi = Math.floor(seed / 2 ** 32) >>> 0;
  let h = Math.imul(lo ^ Math.imul(hi, 0x27d4eb2f), 0x9e3779b1) ^ Math.imul(index >>> 0, 0x85ebca6b) ^ Math.imul(Math.floor(index / 2 ** 32), 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

// ---------------------------------------------------------------------------------------------
// The builder: plain code over a source of random choices.

/** The random choices the builder makes, drawn from fast-check (seeded, and shrinkable). */
interface Dice {
  /** An integer in [min, max]. */
  int(min: number, max: number): number;
  /** True with probability `percent`/100. */
  chance(percent: number): boolean;
  pick<T>(items: readonly T[]): T;
}

function diceOf(g: fc.GeneratorValue): Dice {
  const int = (min: number, max: number) => (min >= max ? min : g(fc.integer, { min, max }));
  return {
    int,
    chance: (percent) => int(0, 99) < percent,
    pick: (items) => items[int(0, items.length - 1)]!,
  };
}

type PromptKind = "prompt" | "prompt_async";
type ActionKind = PromptKind | "cancel";
interface ActionDraft {
  kind: ActionKind;
  /** `a2`: client a's second action (the request name the world gives it). */
  request: string;
  session: string;
  parts: string[];
  noReply?: boolean;
  messageID?: string;
}
type ToolCallDraft = Extract<Reply, { toolCalls: unknown }>["toolCalls"][number];
/** A reply the swarm configuration requires somewhere: one per feature it turns on. */
type Token = "tool" | "sync" | "background" | "ask" | "error";

/** Builds one scenario that uses exactly `features`; throws {@link HarnessError} if it would not. */
function buildScenario(name: string, features: SwarmFeatures, dice: Dice): GeneratedScenario {
  const f = features;
  const clientPrompts = f.promptAsync || f.syncPrompt;
  // The run command owns s1 and disposes the instance at its end: `opencode run` runs its
  // own instance, so no other client prompts its session. (In the model one could, but its
  // prompt may always land just after the run's last check and before the dispose: no
  // observer can wait for it. And a loop it starts after the dispose could ask permission
  // with nobody left to answer.) Clients prompt the other sessions and may cancel any.
  const sessionCount = Math.max(dice.int(1, SWARM_LIMITS.sessions), f.run && clientPrompts ? 2 : 1);
  const sessions = Array.from({ length: sessionCount }, (_, i) => `s${i + 1}`);
  const promptTargets = f.run ? sessions.slice(1) : sessions;
  // Half of all actions go to s1: prompts that overlap on one session are where races live.
  const target = (candidates: readonly string[]) => (dice.chance(50) ? candidates[0]! : dice.pick(candidates));
  const parts = (label: string) => Array.from({ length: f.multiPart ? dice.int(1, 3) : 1 }, (_, i) => `${label} part ${i + 1}`);

  // Clients: deal every action kind the configuration turns on at least once, then more
  // (prompts three times as likely as cancels, which excuse the messages before them).
  const kinds: ActionKind[] = [...(f.promptAsync ? ["prompt_async" as const] : []), ...(f.syncPrompt ? ["prompt" as const] : []), ...(f.cancel ? ["cancel" as const] : [])];
  const weighted: ActionKind[] = kinds.flatMap((k) => (k === "cancel" ? [k] : [k, k, k]));
  const clientCount = kinds.length === 0 ? 0 : dice.int(1, f.run ? SWARM_LIMITS.clients - 1 : SWARM_LIMITS.clients);
  const counts = Array.from({ length: clientCount }, () => dice.int(1, SWARM_LIMITS.actions));
  for (let i = 0; counts.reduce((a, b) => a + b, 0) < kinds.length; i = (i + 1) % clientCount) {
    if (counts[i]! < SWARM_LIMITS.actions) counts[i]! += 1;
  }
  const total = counts.reduce((a, b) => a + b, 0);
  const deck = shuffle(dice, [...kinds, ...Array.from({ length: total - kinds.length }, () => dice.pick(weighted))]);
  const names = ["a", "b", "c", "d"];
  const clients = counts.map((count, c) => ({ name: names[c]!, actions: deck.splice(0, count).map((kind, i) => draftAction(kind, `${names[c]}${i + 1}`)) }));

  function draftAction(kind: ActionKind, request: string): ActionDraft {
    if (kind === "cancel") return { kind, request, session: target(sessions), parts: [] };
    const action: ActionDraft = { kind, request, session: target(promptTargets), parts: parts(request) };
    if (f.noReply && dice.chance(30)) action.noReply = true;
    if (f.clientIds && dice.chance(50)) action.messageID = clientMessageID(request);
    return action;
  }
  // A client-supplied id made before the server wrote anything sorts below every server id
  // (client-message-id.ts); one from a client clock ahead of the server's sorts above.
  function clientMessageID(request: string): string {
    return `msg_${dice.chance(70) ? "00000000" : "zzzzzzzz"}${request}`;
  }

  const prompts = () => clients.flatMap((c) => c.actions.filter((a) => a.kind !== "cancel"));
  if (f.noReply && !prompts().some((p) => p.noReply)) dice.pick(prompts()).noReply = true;
  if (f.clientIds && !prompts().some((p) => p.messageID)) {
    const p = dice.pick(prompts());
    p.messageID = clientMessageID(p.request);
  }
  // Something must start a loop: without the run command, one client prompt wants a reply.
  if (!f.run && prompts().every((p) => p.noReply)) {
    const noReplies = prompts();
    if (noReplies.length > 1) delete dice.pick(noReplies).noReply;
    else {
      const client = clients.reduce((a, b) => (b.actions.length < a.actions.length ? b : a));
      const kind = dice.pick(kinds.filter((k): k is PromptKind => k !== "cancel"));
      client.actions.push(draftAction(kind, `${client.name}${client.actions.length + 1}`));
      delete client.actions[client.actions.length - 1]!.noReply;
    }
  }
  const run = f.run ? { session: "s1", parts: parts("run") } : undefined;

  // LLM scripts. Live sessions are those a loop runs on: prompted for a reply, or the run's.
  const live = sessions.filter((s) => (run && s === run.session) || prompts().some((p) => p.session === s && !p.noReply));
  const runTree = new Set<string>(run ? [run.session] : []);
  const llm: Record<string, Reply[]> = {};
  let children = 0;
  // invariant: children + reserved <= SWARM_LIMITS.children, where `reserved` holds room for
  // the required children not placed yet (a required child's own script may create more).
  let reserved = (f.syncChild ? 1 : 0) + (f.backgroundChild ? 1 : 0);

  const callKinds = (inRunTree: boolean, depth: number) => {
    const roomForChild = children + reserved < SWARM_LIMITS.children && depth < SWARM_LIMITS.childDepth;
    return [
      ...(f.toolSteps ? (["tool"] as const) : []),
      ...(f.permission && inRunTree ? (["ask"] as const) : []),
      ...(f.syncChild && roomForChild ? (["sync"] as const) : []),
      ...(f.backgroundChild && roomForChild ? (["background"] as const) : []),
    ];
  };
  function toolCall(kind: "tool" | "ask" | "sync" | "background", parent: string, depth: number): ToolCallDraft {
    const inRunTree = runTree.has(parent);
    if (kind === "tool") return { tool: dice.pick(["bash", "read"]), ...(f.permission && inRunTree && dice.chance(25) && { ask: true }) };
    if (kind === "ask") return { tool: "bash", ask: true };
    children += 1;
    const child = childName(children);
    if (inRunTree) runTree.add(child);
    const call: ToolCallDraft = {
      tool: "task",
      child: { session: child, parts: parts(child), ...(kind === "background" && { background: dice.pick(["plugin", "job"] as const) }) },
      ...(f.permission && inRunTree && dice.chance(20) && { ask: true }),
    };
    const script = Array.from({ length: dice.int(0, SWARM_LIMITS.childReplies) }, () => randomReply(child, depth + 1));
    if (script.length > 0) llm[child] = script;
    return call;
  }
  function tokenReply(token: Token, session: string): Reply {
    if (token === "error") return { error: "provider error" };
    // A plain tool that asks would be a permission, not a tool step.
    if (token === "tool") return { toolCalls: [{ tool: "bash" }] };
    if (token === "sync" || token === "background") reserved -= 1;
    return { toolCalls: [toolCall(token, session, 0)] };
  }
  function randomReply(session: string, depth: number): Reply {
    // One in six an error (if on), one in two tool calls (if any kind is on), else text.
    const roll = dice.int(0, 5);
    if (f.llmError && roll === 0) return { error: dice.pick(["rate limited", "provider error"]) };
    const inRunTree = runTree.has(session);
    if (callKinds(inRunTree, depth).length > 0 && roll >= 3) {
      const calls: ToolCallDraft[] = [];
      for (let n = dice.int(1, 2); n > 0; n--) {
        // Re-read the kinds each time: a child created by the previous call may use up the room.
        const kinds = callKinds(inRunTree, depth);
        if (kinds.length > 0) calls.push(toolCall(dice.pick(kinds), session, depth));
      }
      return { toolCalls: calls };
    }
    return { text: dice.pick(["done", "here you go", "noted"]) };
  }

  // Each feature of a reply goes in once for sure (at a random place of a live session's
  // script), the rest of each script is random.
  const tokens: Token[] = [
    ...(f.toolSteps ? (["tool"] as const) : []),
    ...(f.syncChild ? (["sync"] as const) : []),
    ...(f.backgroundChild ? (["background"] as const) : []),
    ...(f.permission ? (["ask"] as const) : []),
    ...(f.llmError ? (["error"] as const) : []),
  ];
  const placed = new Map<string, Reply[]>(live.map((s) => [s, []]));
  for (const token of tokens) {
    const session = token === "ask" ? run!.session : dice.pick(live);
    placed.get(session)!.push(tokenReply(token, session));
  }
  for (const session of live) {
    const required = placed.get(session)!;
    const script = Array.from({ length: dice.int(0, Math.max(0, SWARM_LIMITS.replies - required.length)) }, () => randomReply(session, 0));
    for (const reply of required) script.splice(dice.int(0, script.length), 0, reply);
    if (script.length > 0) llm[session] = script;
  }

  const allParts = () => [...prompts().map((p) => p.parts), ...(run ? [run.parts] : [])];
  const childParts = Object.values(llm).flat().flatMap((r) => ("toolCalls" in r ? r.toolCalls.flatMap((c) => (c.child ? [c.child.parts] : [])) : []));
  if (f.multiPart && ![...allParts(), ...childParts].some((p) => p.length > 1)) {
    const p = dice.pick(allParts());
    const label = p[0]!.replace(/ part 1$/, "");
    p.push(...Array.from({ length: dice.int(1, 2) }, (_, i) => `${label} part ${i + 2}`));
  }

  const input: ScenarioInput = {
    name,
    description: `swarm: ${describeFeatures(f)}`,
    sessions,
    // Declared sessions first, then children in creation order.
    llm: Object.fromEntries([...sessions, ...Array.from({ length: children }, (_, i) => childName(i + 1))].flatMap((sid) => (llm[sid] ? [[sid, llm[sid]]] : []))),
    clients: clients.map((c) => ({ name: c.name, actions: c.actions.map(toAction) })),
    ...(run && { run }),
  };
  const scenario = defineScenario(input);
  const used = featuresOf(scenario);
  const wrong = SWARM_FEATURES.filter((k) => used[k] !== f[k]);
  if (wrong.length > 0) {
    throw new HarnessError(`swarm generator bug: scenario '${name}' should use exactly ${describeFeatures(f)}, but ${wrong.map((k) => `${k} is ${used[k] ? "used" : "missing"}`).join(", ")}`);
  }
  return { scenario, features: f };
}

function toAction(a: ActionDraft): Action {
  if (a.kind === "cancel") return { kind: "cancel", session: a.session };
  return {
    kind: a.kind,
    session: a.session,
    parts: a.parts,
    ...(a.noReply && { noReply: true }),
    ...(a.messageID !== undefined && { messageID: a.messageID }),
  };
}

/** Fisher-Yates over the dice. */
function shuffle<T>(dice: Dice, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = dice.int(0, i);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/** The n-th child session a generated scenario creates: named apart from client requests (client c's request c2 is not child session c2). */
function childName(n: number): string {
  return `child${n}`;
}
