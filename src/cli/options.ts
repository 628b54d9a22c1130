import { InvalidArgumentError } from "commander";

/** commander parser: a whole number >= `min`. */
export function wholeNumber(name: string, min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min) {
      throw new InvalidArgumentError(`${name} takes a whole number >= ${min}, got '${value}'`);
    }
    return n;
  };
}

/** commander parser for seeds: a whole number from 0 to 2^32-1. */
export function seedNumber(value: string): number {
  const n = wholeNumber("--seed", 0)(value);
  if (n > 0xffffffff) throw new InvalidArgumentError(`--seed takes a whole number from 0 to 4294967295, got '${value}'`);
  return n;
}
