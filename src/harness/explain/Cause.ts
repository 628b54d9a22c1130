/**
 * A violation's cause: a short chain of steps, each ordered after the one before it by the
 * run's happens-before relation (see happensBefore.ts), from the steps the invariant's
 * verdict rests on. Plain data: it is written into schedule files and crosses threads.
 */
export interface Cause {
  /** The chain, in step order. */
  readonly steps: readonly CauseStep[];
  /** The chain in one line: "s1.run1 read store:s1 at 10 -> b1 stored msg_3 whole at 13 -> ...". */
  readonly text: string;
  /**
   * The race the chain rests on: each link between steps of two actors that conflict (one
   * wrote what the other read or wrote) or that made the other's point, in order, with
   * names and numbers abstracted: `run:publish busy -store r>w-> prompt:write part N/N`.
   */
  readonly race: readonly string[];
  /** Every step of the chain, abstracted (`role:action`): what a chain without a race is told apart by. */
  readonly shape: readonly string[];
}

/** One step of a chain. */
export interface CauseStep {
  readonly step: number;
  readonly actor: string;
  readonly label: string;
  /** What happened there, in the invariant's words or the analysis's. */
  readonly what: string;
  /**
   * How it came into the chain: named by the invariant (`evidence`), or found by the analysis:
   * the last step of another actor of the chain that conflicts with a named one (`conflict`),
   * the step that created a named step's point (`origin`), the last write of what a named
   * step read (`input`).
   */
  readonly source: "evidence" | "conflict" | "origin" | "input";
  /** How it is ordered after the previous step of the chain (absent on the first). */
  readonly after?: CauseLink;
}

/** Why one step of a chain comes after the previous one. */
export interface CauseLink {
  /**
   * `program`: the same actor, later; `origin`: the previous step created this step's point;
   * `conflict`: both touched the same state, one of them writing (`keys` says which);
   * `global`: the previous step conflicts with everything (it interrupted a wait, or moved
   * virtual time); `order`: ordered through other steps; `concurrent`: not ordered at all
   * (either order was possible).
   */
  readonly kind: "program" | "origin" | "conflict" | "global" | "order" | "concurrent";
  /** `conflict`: the state both touched, with who wrote: `store:s1 r>w` (read, then written). */
  readonly keys?: readonly string[];
}
