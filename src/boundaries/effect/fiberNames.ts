import type { Context } from "effect";
import type { EffectFiber } from "./effectTypes.ts";

/** What racelab knows about one fiber of a run. */
export interface FiberNode {
  readonly fiber: EffectFiber;
  /** The actor name: the program's label, or the fork-tree path below the nearest labelled ancestor. */
  readonly name: string;
  readonly parent: FiberNode | undefined;
  /** Children named after this fiber so far (`<name>/fork#<n>`). */
  forks: number;
  /** The label reference's value when this fiber was named (when racelab first saw it). */
  readonly label: string | undefined;
}

/**
 * Names the fibers of one run so that a person can read them and a replay can match them:
 * never Effect's fiber ids (a process-wide counter), always what the program says.
 *
 * - A fiber whose label (the `Label` reference, inherited like any context value) differs
 *   from its parent's is named by its label: `s1.run1`. A root fiber is named by its label
 *   (racelab labels each client call with its request, `a1`) or `root#<n>`.
 * - Any other fiber is named by its path below its parent: `s1.run1/fork#1`, the first child
 *   the parent forked, counting in the parent's own program order, which does not depend on
 *   the interleaving.
 *
 * A fiber is named once, when racelab first sees it, by the label it was forked with: give
 * the label around the fork (`Effect.forkIn(work, scope).pipe(withLabel("s1.run1"))`), not
 * inside the forked effect, so that the forking fiber keeps its own name.
 *
 * Names are unique within a run: a second fiber labelled `s1.run1` is `s1.run1#2`.
 */
export class FiberNames {
  private readonly nodes = new Map<EffectFiber, FiberNode>();
  private readonly used = new Set<string>();
  private roots = 0;

  constructor(private readonly labelRef: Context.Reference<string | undefined>) {}

  get(fiber: EffectFiber): FiberNode | undefined {
    return this.nodes.get(fiber);
  }

  /** Names a fiber seen for the first time; `parent` is the fiber whose step started it. */
  register(fiber: EffectFiber, parent: FiberNode | undefined): FiberNode {
    const label = fiber.getRef(this.labelRef);
    let name: string;
    if (label !== undefined && label !== parent?.label) name = this.unique(label);
    else if (parent) name = this.unique(`${parent.name}/fork#${++parent.forks}`);
    else name = this.unique(`root#${++this.roots}`);
    const node: FiberNode = { fiber, name, parent, forks: 0, label };
    this.nodes.set(fiber, node);
    return node;
  }

  private unique(raw: string): string {
    // A name is the actor of a label ("<actor> <what>"): no spaces in it.
    const name = raw.trim().replace(/\s+/g, "_") || "unnamed";
    let candidate = name;
    for (let n = 2; this.used.has(candidate); n++) candidate = `${name}#${n}`;
    this.used.add(candidate);
    return candidate;
  }
}
