import { actorOf } from "../VirtualScheduler.ts";
import type { Footprint } from "../Footprint.ts";
import { choiceOf, type Frame } from "./Frame.ts";

/**
 * The block a choice starts on its first path: the choice's step and the steps of the same
 * actor right after it, before the schedule first switched to another actor. A sleeper moved
 * back to where it was explored can take its block with it, so its footprint for the sleep set
 * is the block's, and it costs an extra preemption there only when the block ended with its
 * actor still ready (see `Sleeper.delta`).
 */
export interface Block {
  /** The step's own footprint until a later step of the block is merged in; then a copy. */
  footprint: Footprint;
  /** `footprint` is still the step's own object, not to be merged into. */
  shared: boolean;
  /** The block has ended: the schedule switched actors, came to an end, or was abandoned. */
  closed: boolean;
  /** When it ended, its actor still had a point ready (a switch away from it was a preemption). */
  open: boolean;
}

/** Records step k's footprint in its own block and in the blocks of the first path it continues. */
export function extendBlocks(stack: readonly Frame[], k: number, footprint: Footprint): void {
  const frame = stack[k]!;
  const actor = actorOf(choiceOf(frame));
  frame.blocks.set(choiceOf(frame), { footprint, shared: true, closed: false, open: false });
  if (k > 0 && frame.tried.length === 1 && actorOf(choiceOf(stack[k - 1]!)) !== actor) close(stack, k - 1, frame.lastActorReady);
  for (let j = k - 1; j >= 0 && stack[j + 1]!.tried.length === 1 && actorOf(choiceOf(stack[j]!)) === actor; j--) {
    const block = stack[j]!.blocks.get(choiceOf(stack[j]!));
    if (block === undefined || block.closed) break;
    merge(block, footprint);
  }
}

/** Ends the blocks that step `end` was the last step of (`open`: its actor was still ready). */
export function close(stack: readonly Frame[], end: number, open: boolean): void {
  if (end < 0) return;
  const actor = actorOf(choiceOf(stack[end]!));
  for (let m = end; m >= 0 && actorOf(choiceOf(stack[m]!)) === actor && (m === end || stack[m + 1]!.tried.length === 1); m--) {
    const block = stack[m]!.blocks.get(choiceOf(stack[m]!));
    if (block === undefined || block.closed) break;
    block.closed = true;
    block.open = open;
  }
}

function copy(footprint: Footprint): Footprint {
  return { reads: new Set(footprint.reads), writes: new Set(footprint.writes), global: footprint.global };
}

function merge(block: Block, from: Footprint): void {
  if (block.shared) {
    block.footprint = copy(block.footprint);
    block.shared = false;
  }
  const into = block.footprint;
  for (const key of from.reads) into.reads.add(key);
  for (const key of from.writes) into.writes.add(key);
  into.global ||= from.global;
}
