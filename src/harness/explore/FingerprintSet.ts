/**
 * A set of fingerprints (the non-negative 53-bit integers `hash53` gives) kept in one flat
 * `Float64Array` with open addressing and linear probing, so a long exploration's distinct
 * schedules and end states cost one 8-byte slot each (the table is kept at most half full) in
 * memory outside the heap, and no heap object at all.
 *
 * Why not a `Set<number>`: a 53-bit number does not fit a small integer, so V8 boxes each one
 * in its own heap number. An exploration adds one every schedule while it allocates and frees
 * the schedule's garbage around it; those long-lived boxes end up scattered over many old-space
 * pages, which full collections then cannot give back. Measured on 100k random schedules of
 * double-prompt-async: old space grew from 33 to 73 MiB with 14 MiB live, RSS 1.33x; with this
 * set it stays flat.
 */
export class FingerprintSet {
  /** Each slot holds fingerprint + 1; 0 is an empty slot. */
  private slots = new Float64Array(1024);
  private mask = 1023;
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Adds `fingerprint`; true if it was not there yet. */
  add(fingerprint: number): boolean {
    if (!Number.isSafeInteger(fingerprint) || fingerprint < 0) throw new RangeError(`a fingerprint is a non-negative safe integer, got ${fingerprint}`);
    if ((this.count + 1) * 2 > this.slots.length) this.grow();
    if (!this.put(this.slots, this.mask, fingerprint + 1)) return false;
    this.count += 1;
    return true;
  }

  has(fingerprint: number): boolean {
    const stored = fingerprint + 1;
    for (let i = slotOf(stored, this.mask); ; i = (i + 1) & this.mask) {
      const at = this.slots[i]!;
      if (at === 0) return false;
      if (at === stored) return true;
    }
  }

  /** The fingerprints, in no particular order. */
  *values(): IterableIterator<number> {
    for (const at of this.slots) if (at !== 0) yield at - 1;
  }

  /** Puts a stored value in `slots`; false if it was there. */
  private put(slots: Float64Array, mask: number, stored: number): boolean {
    for (let i = slotOf(stored, mask); ; i = (i + 1) & mask) {
      const at = slots[i]!;
      if (at === stored) return false;
      if (at === 0) {
        slots[i] = stored;
        return true;
      }
    }
  }

  private grow(): void {
    const slots = new Float64Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (const at of this.slots) if (at !== 0) this.put(slots, mask, at);
    this.slots = slots;
    this.mask = mask;
  }
}

/** A slot for a stored value: its low 32 bits and its high 21, mixed, so any values spread. */
function slotOf(stored: number, mask: number): number {
  const high = Math.floor(stored / 4294967296);
  return Math.imul((stored >>> 0) ^ high, 0x9e3779b1) & mask;
}
