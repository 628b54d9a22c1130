import { InputError } from "../errors.ts";

/** One shard of a list of work (the gate's checks, a fuzz campaign's scenarios): the `index`-th (1-based) of `count`. */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/** Parses `--shard i/n` (1 <= i <= n). */
export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : Number.NaN;
  const count = m ? Number(m[2]) : Number.NaN;
  if (!m || count < 1 || index < 1 || index > count) {
    throw new InputError(`--shard must be i/n with 1 <= i <= n (e.g. 2/4), got '${text}'`);
  }
  return { index, count };
}

/**
 * The items of one shard: item k (0-based, in the order given) goes to shard (k mod n) + 1.
 * Round-robin keeps the slow rows of one scenario spread over machines; the shards are
 * disjoint and their union is the whole list, whatever n is.
 */
export function selectShard<T>(items: readonly T[], shard: Shard | undefined): T[] {
  if (!shard) return [...items];
  return items.filter((_, k) => inShard(k, shard));
}

/** Whether item k (0-based) belongs to the shard: k mod n = i - 1, the rule every sharded command deals by. */
export function inShard(k: number, shard: Shard): boolean {
  return k % shard.count === shard.index - 1;
}

/**
 * The j-th item (0-based) of the shard's own stream: i - 1, i - 1 + n, i - 1 + 2n, ... An
 * unbounded stream (fuzz's `--time`) is dealt by the same rule as a list, so a shard need
 * not know the total to know its items.
 */
export function shardItem(shard: Shard, j: number): number {
  return shard.index - 1 + j * shard.count;
}

/** How many of items 0..total-1 belong to the shard. */
export function shardSize(shard: Shard, total: number): number {
  return Math.max(0, Math.ceil((total - (shard.index - 1)) / shard.count));
}
