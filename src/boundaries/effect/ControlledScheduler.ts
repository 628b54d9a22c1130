import { Fiber, type Context, type Scheduler } from "effect";
import { isInterrupted, type RunnerPort, type TaskHandle } from "../port.ts";
import type { EffectFiber } from "./effectTypes.ts";
import { FiberNames, type FiberNode } from "./fiberNames.ts";

/**
 * How finely Effect code is interleaved. `step`: every effect step of every fiber is a
 * scheduling point (what the lost wake-up needs). `suspend`: only the points where a fiber
 * suspends or starts: fork start, wake-up (after a Deferred, a join, a Latch, a Semaphore,
 * a promise), sleep, yieldNow.
 */
export type Granularity = "step" | "suspend";

/** Why a fiber waits at a point; the `<what>` of its label. */
type Kind = "start" | "step" | "wake" | "yield";

/** A fiber's resume, waiting in racelab's ready set. */
interface Entry {
  readonly node: FiberNode;
  readonly handle: TaskHandle;
}

type SchedulerTask = () => void;

/**
 * Effect's `Scheduler` service, owned by racelab: every continuation Effect would queue goes
 * into racelab's ready set as a labelled point, and a strategy decides which runs next.
 *
 * How one release becomes one effect step of one fiber (the *grant*). Effect asks the
 * scheduler `shouldYield(fiber)` before each loop pass of a running fiber. When racelab
 * answers `true`, Effect wraps the step the fiber was about to take in a yield, whose
 * resume it hands to the dispatcher (`scheduleTask`) while the fiber is still current: that
 * resume becomes the fiber's ready point. Releasing the point grants that fiber, and only
 * that fiber, a number of `false` answers: two after a forced yield (the first pass only
 * unwraps the yield), one after the program's own `yieldNow` or a sleep. Every other fiber
 * that starts or wakes during the release (a fork, a Deferred completed, a fiber joined,
 * an interrupt: Effect resumes those on the completer's stack) is asked `shouldYield` on its
 * first pass, is told `true`, and lands in the ready set instead of running.
 *
 * Tasks that resume no fiber of their own (a fork's start, a Latch or Semaphore handing over)
 * are recognised exactly: the fiber that queued one went on (asked `shouldYield` again), or
 * it was not the granted fiber. They run at once, after the release, in the same step: they
 * only deliver wake-ups, and every fiber they wake yields at its first pass. So when a
 * release returns, every fiber that can run is in the ready set, asleep on the virtual clock,
 * or blocked: quiescence is exact, as for the plain model.
 *
 * With granularity `suspend` the granted fiber is never preempted: it runs until it
 * suspends, and only starts, wake-ups, sleeps and yields are points.
 */
export class ControlledScheduler implements Scheduler.Scheduler {
  readonly executionMode = "async" as const;
  readonly names: FiberNames;
  private readonly task: (label: string, run: () => void) => TaskHandle;
  private readonly entries = new Map<EffectFiber, Entry>();
  /** Fibers just told to yield, and why: their next queued task is their resume. */
  private readonly forcing = new Map<EffectFiber, Kind>();
  /** invariant: set only while a release (or an uncontrolled call) runs this fiber. */
  private grantee: EffectFiber | undefined;
  private granteeNode: FiberNode | undefined;
  private grantLeft = 0;
  /** Tasks the grantee queued and did not yet show to be someone else's (see `shouldYield`). */
  private readonly fromGrantee: SchedulerTask[] = [];
  private readonly system: { readonly task: SchedulerTask; readonly by: FiberNode | undefined }[] = [];
  /** Who is stepping: a new fiber seen now is its child. */
  private current: FiberNode | undefined;
  private draining = false;
  private starting: { readonly grant: number; readonly parent: FiberNode | undefined } | undefined;
  private readonly dispatcher: Scheduler.SchedulerDispatcher;

  constructor(
    private readonly port: RunnerPort,
    labelRef: Context.Reference<string | undefined>,
    private readonly granularity: Granularity = "step",
  ) {
    this.names = new FiberNames(labelRef);
    this.task = taskOf(port);
    this.dispatcher = {
      scheduleTask: (task) => this.onTask(task),
      // Only Effect's own synchronous runners flush their dispatcher; ours has nothing to flush
      // behind the strategy's back.
      flush: () => {},
    };
  }

  makeDispatcher(): Scheduler.SchedulerDispatcher {
    return this.dispatcher;
  }

  shouldYield(fiber: Fiber.Fiber<unknown, unknown>): boolean {
    const f = fiber as EffectFiber;
    if (f === this.grantee) {
      // It asked again, so whatever it queued meanwhile did not resume it: system tasks.
      if (this.fromGrantee.length > 0) this.toSystem(this.fromGrantee.splice(0), this.granteeNode);
      if (this.grantLeft > 0) {
        this.grantLeft -= 1;
        return false;
      }
      this.forcing.set(f, "step");
      return true;
    }
    let node = this.names.get(f);
    if (node === undefined) {
      const starting = this.starting;
      this.starting = undefined;
      node = this.names.register(f, starting ? starting.parent : this.current);
      f.addObserver(() => this.exited(f));
      if (starting && starting.grant > 0) {
        // An uncontrolled call: this root runs at once, on the caller's step.
        this.grant(f, node, starting.grant - 1);
        return false;
      }
      this.forcing.set(f, "start");
      return true;
    }
    // A known fiber resumed by someone else: whatever it waited at before is over.
    this.withdraw(f);
    this.forcing.set(f, "wake");
    return true;
  }

  /**
   * Runs `effect` as a root fiber under this scheduler. `grant` 0: its first step is a point
   * (a client call). `Infinity`: it runs at once, uncontrolled, until it suspends or ends,
   * while every fiber it starts or wakes still waits for the strategy (setup, and calls the
   * port defines as synchronous).
   */
  fork<A, E>(start: () => Fiber.Fiber<A, E>, grant: number): Fiber.Fiber<A, E> {
    const saved = { grantee: this.grantee, node: this.granteeNode, left: this.grantLeft, current: this.current };
    this.starting = { grant, parent: undefined };
    try {
      return start();
    } finally {
      this.starting = undefined;
      if (grant > 0) this.afterRelease();
      this.grantee = saved.grantee;
      this.granteeNode = saved.node;
      this.grantLeft = saved.left;
      this.current = saved.current;
      this.drain();
    }
  }

  /**
   * Resumes a fiber from a callback racelab owns (a virtual-clock sleeper): the fiber gets
   * one pass, as after its own yield, within the current step.
   */
  resumeGranted(fiber: EffectFiber, resume: () => void): void {
    const node = this.names.get(fiber);
    if (node === undefined) {
      resume();
      return;
    }
    this.release(node, resume, 1);
  }

  /** The label of a fiber's point: `<actor> <what>`, with the current `Effect.fn` span. */
  labelOf(node: FiberNode, what: string): string {
    const span = node.fiber.currentSpanLocal?.name;
    return span ? `${node.name} ${what} · ${span}` : `${node.name} ${what}`;
  }

  private onTask(task: SchedulerTask): void {
    const fiber = Fiber.getCurrent() as EffectFiber | undefined;
    if (fiber !== undefined) {
      const kind = this.forcing.get(fiber);
      if (kind !== undefined) {
        // The yield racelab forced: this task resumes `fiber`.
        this.forcing.delete(fiber);
        this.addEntry(this.names.get(fiber)!, kind, task, 2);
        return;
      }
      if (fiber === this.grantee) {
        // Its own yieldNow (it suspends now) or a system task (it goes on): decided when it
        // asks shouldYield again, or when the release ends.
        this.fromGrantee.push(task);
        return;
      }
    }
    this.toSystem([task], fiber === undefined ? undefined : this.names.get(fiber));
  }

  private addEntry(node: FiberNode, kind: Kind, resume: SchedulerTask, grant: number): void {
    this.withdraw(node.fiber);
    const label = this.labelOf(node, kind);
    const handle = this.task(label, () => {
      this.entries.delete(node.fiber);
      // A point's release is a step that touches the shared Effect state: racelab cannot see
      // which Refs and Deferreds a step reads, so every step conflicts with every other.
      this.port.touch?.("effect", true);
      this.release(node, resume, grant);
    });
    this.entries.set(node.fiber, { node, handle });
  }

  private release(node: FiberNode, resume: () => void, grant: number): void {
    this.grant(node.fiber, node, grant);
    try {
      resume();
    } finally {
      this.afterRelease();
      this.grantee = undefined;
      this.granteeNode = undefined;
      this.grantLeft = 0;
      this.current = undefined;
      this.drain();
    }
  }

  private grant(fiber: EffectFiber, node: FiberNode, passes: number): void {
    this.grantee = fiber;
    this.granteeNode = node;
    this.grantLeft = this.granularity === "suspend" ? Number.POSITIVE_INFINITY : passes;
    this.current = node;
  }

  /** The grantee stopped without asking again: if it lives, its last queued task is its own yield. */
  private afterRelease(): void {
    if (this.fromGrantee.length === 0) return;
    const fiber = this.grantee!;
    const node = this.granteeNode!;
    const own = fiber.pollUnsafe() === undefined ? this.fromGrantee.pop() : undefined;
    this.toSystem(this.fromGrantee.splice(0), node);
    if (own !== undefined) this.addEntry(node, "yield", own, 1);
  }

  private toSystem(tasks: readonly SchedulerTask[], by: FiberNode | undefined): void {
    for (const task of tasks) this.system.push({ task, by });
    // Outside a release (a promise callback woke a fiber), run them now: nothing else will.
    if (this.grantee === undefined) this.drain();
  }

  /** Runs queued system tasks; a fiber one of them starts is a child of whoever queued it. */
  private drain(): void {
    if (this.draining || this.grantee !== undefined) return;
    this.draining = true;
    try {
      for (let next = this.system.shift(); next; next = this.system.shift()) {
        const saved = this.current;
        this.current = next.by;
        try {
          next.task();
        } finally {
          this.current = saved;
        }
      }
    } finally {
      this.draining = false;
    }
  }

  private withdraw(fiber: EffectFiber): void {
    const entry = this.entries.get(fiber);
    if (entry === undefined) return;
    this.entries.delete(fiber);
    entry.handle.cancel();
  }

  private exited(fiber: EffectFiber): void {
    // A resume queued just before an interrupt took the fiber over is dead now.
    this.withdraw(fiber);
    this.forcing.delete(fiber);
  }
}

/** `port.task`, or a point whose resolution runs the continuation (schedulers without tasks). */
function taskOf(port: RunnerPort): (label: string, run: () => void) => TaskHandle {
  if (port.task) return (label, run) => port.task!(label, run);
  return (label, run) => {
    const abort = new AbortController();
    port.point(label, { signal: abort.signal }).then(run, (error: unknown) => {
      if (!isInterrupted(error)) throw error;
    });
    return { cancel: () => abort.abort() };
  };
}
