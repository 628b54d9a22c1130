import type { AnyEvent, TraceEvent } from "../trace.ts";

/**
 * `{ ...event, step }`, without the spread's cost. The trace keeps a copy of every event (the
 * runner may reuse or change its object after reporting it, and the status bus hands the same
 * object to its subscribers), stamped with the step. A spread whose site sees every event type
 * is megamorphic: V8 copies through the runtime, several hundred ns an event, about a tenth of
 * a step. Events of one type nearly always have the same keys in the same order, so for each
 * such key list this compiles one object literal that copies exactly those keys; V8 builds a
 * literal from a fixed shape in a few ns. An event whose keys do not match a known list
 * (checked key by key, in order) teaches a new one, up to a few per type; anything unusual
 * (not a plain object, a `__proto__` key, too many shapes) takes the spread. The copy is the
 * spread's: the same own enumerable string-keyed properties, in the same order, `step` last
 * unless the event had one (then in its place, overwritten). Symbol-keyed properties, which no
 * JSON trace can hold, are left out.
 */
export function stampEvent(event: AnyEvent, step: number): TraceEvent {
  const e = event as unknown as Record<string, unknown>;
  const type = e["type"];
  if (typeof type !== "string" || Object.getPrototypeOf(e) !== Object.prototype) return spread(event, step);
  let known = copiers.get(type);
  if (known !== undefined) {
    for (let c = 0; c < known.length; c++) {
      const copier = known[c]!;
      if (hasKeys(e, copier.keys)) return copier.copy(e, step);
    }
  }
  if (known === undefined) {
    if (copiers.size >= MAX_TYPES) return spread(event, step);
    known = [];
    copiers.set(type, known);
  }
  if (known.length >= MAX_SHAPES_PER_TYPE) return spread(event, step);
  const copier = compile(e);
  if (copier === undefined) return spread(event, step);
  known.push(copier);
  return copier.copy(e, step);
}

interface Copier {
  /** The own enumerable string keys, in for-in order (the order a spread copies them in). */
  readonly keys: readonly string[];
  readonly copy: (e: Record<string, unknown>, step: number) => TraceEvent;
}

/** Key lists learned per event type. Bounded: a runner that invents shapes falls back to the spread. */
const copiers = new Map<string, Copier[]>();
const MAX_TYPES = 256;
const MAX_SHAPES_PER_TYPE = 8;

function spread(event: AnyEvent, step: number): TraceEvent {
  const copy: Record<string | symbol, unknown> = { ...event, step };
  // As the compiled copies: string keys only.
  for (const s of Object.getOwnPropertySymbols(copy)) delete copy[s];
  return copy as unknown as TraceEvent;
}

/** for-in lists exactly `keys`, in order (for a plain object: its own enumerable string keys). */
function hasKeys(e: Record<string, unknown>, keys: readonly string[]): boolean {
  let i = 0;
  for (const k in e) if (k !== keys[i++]) return false;
  return i === keys.length;
}

function compile(e: Record<string, unknown>): Copier | undefined {
  const keys: string[] = [];
  for (const k in e) {
    // Not own (an enumerable property on Object.prototype) or a literal's prototype setter: let the spread decide.
    if (!Object.hasOwn(e, k) || k === "__proto__") return undefined;
    keys.push(k);
  }
  const fields = keys.map((k) => (k === "step" ? `"step": step` : `${JSON.stringify(k)}: e[${JSON.stringify(k)}]`));
  if (!keys.includes("step")) fields.push("step");
  // One literal per key list: each compiled function sees a single shape, so its loads and its
  // allocation are monomorphic. The keys are JSON-quoted, so no key can break out of the literal.
  const copy = new Function("e", "step", `return { ${fields.join(", ")} };`) as Copier["copy"];
  return { keys, copy };
}
