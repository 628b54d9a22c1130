import { actorOf } from "../scheduler/VirtualScheduler.ts";

/** The loop a run ended in: who repeats what, and over which steps. */
export interface Cycle {
  /** The looping actor (or actors, joined with "+", when the loop passes from one to another). */
  readonly actor: string;
  /** One round of the loop: the labels it releases, as released in the last round. */
  readonly labels: readonly string[];
  /** First and last step of the repeating stretch (1-based). */
  readonly from: number;
  readonly to: number;
  /** Whole and partial rounds in the stretch. */
  readonly rounds: number;
}

/** Longest round looked for; a loop longer than this is not found (the run is then "unbounded"). */
const MAX_PERIOD = 64;
/** Rounds a repetition needs at the end of the run before it counts as a loop. */
const MIN_ROUNDS = 3;
/** The busiest actors of the last steps are tried first. */
const TAIL = 200;

/**
 * Finds the loop a run that hit its step limit ended in: the actor whose released labels
 * end in the most rounds of a shortest repeating round (the period of a word: the smallest
 * p with w[i] = w[i + p] over its end), trying the busiest actors of the last steps first. An
 * actor that is renumbered every round (`s1.run7`, `s1.run8`, ...) is found in the whole
 * sequence with numbers abstracted. Undefined when nothing repeats at least three times.
 */
export function trailingCycle(labels: readonly string[]): Cycle | undefined {
  const bare = labels.map((l) => l.replace(/ \(\d+\)$/, ""));
  const tailCount = new Map<string, number>();
  for (let i = Math.max(0, bare.length - TAIL); i < bare.length; i++) tailCount.set(actorOf(bare[i]!), (tailCount.get(actorOf(bare[i]!)) ?? 0) + 1);
  const actors = [...tailCount].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([a]) => a);
  let best: Cycle | undefined;
  for (const actor of actors) {
    const steps: number[] = [];
    bare.forEach((l, i) => actorOf(l) === actor && steps.push(i + 1));
    const found = periodic(steps.map((s) => bare[s - 1]!));
    if (!found) continue;
    const start = steps.length - found.matched - found.period;
    const cycle = { actor, labels: steps.slice(-found.period).map((s) => labels[s - 1]!), from: steps[start]!, to: steps[steps.length - 1]!, rounds: Math.floor((found.matched + found.period) / found.period) };
    if (!best || cycle.to - cycle.from > best.to - best.from) best = cycle;
  }
  if (best) return best;
  // Numbers abstracted, over every actor: a loop that renames itself each round.
  const abstracted = bare.map((l) => l.replace(/\d+/g, "N"));
  const found = periodic(abstracted);
  if (!found) return undefined;
  const round = labels.slice(-found.period);
  const start = labels.length - found.matched - found.period;
  return { actor: [...new Set(round.map(actorOf))].join("+"), labels: round, from: start + 1, to: labels.length, rounds: Math.floor((found.matched + found.period) / found.period) };
}

/** The shortest period of the end of `word` that repeats at least MIN_ROUNDS times, and how far back it holds. */
function periodic(word: readonly string[]): { period: number; matched: number } | undefined {
  const n = word.length;
  for (let p = 1; p <= MAX_PERIOD && p * MIN_ROUNDS <= n; p++) {
    let matched = 0;
    while (matched < n - p && word[n - 1 - matched] === word[n - 1 - matched - p]) matched += 1;
    if (matched + p >= p * MIN_ROUNDS) return { period: p, matched };
  }
  return undefined;
}

/** A round as text: `[check parent -> sleep 300ms]`, each label without the actor when there is one actor. */
export function describeRound(cycle: Cycle): string {
  const one = !cycle.actor.includes("+");
  return `[${cycle.labels.map((l) => (one && l.startsWith(`${cycle.actor} `) ? l.slice(cycle.actor.length + 1) : l)).join(" -> ")}]`;
}
