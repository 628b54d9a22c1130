import type { ReadyPoint } from "../scheduler/VirtualScheduler.ts";

/**
 * One released step as the causal analysis sees it: which actor ran, from which point, and
 * what it read and wrote of the shared state (`RunnerPort.touch`). Plain data: it crosses
 * threads with the run's result.
 */
export interface RunStep {
  /** 1-based. */
  readonly step: number;
  readonly label: string;
  readonly actor: string;
  /** The step during which the released point was created (0: before the first step). */
  readonly born: number;
  readonly reads: readonly string[];
  readonly writes: readonly string[];
  /** The step conflicts with every other (it interrupted a waiting point, or moved virtual time). */
  readonly global: boolean;
  /** It interrupted a waiting point (an abort signal took the point out of the ready set). */
  readonly interrupted?: boolean;
}

/**
 * Records the steps of one run while it runs: runSchedule tells it what each step released
 * and forwards every `touch`; {@link steps} is the record. Touches before the first release
 * (building the world, starting the clients) belong to no step and are dropped.
 */
export class StepRecorder {
  private readonly done: RunStep[] = [];
  private current: { label: string; actor: string; born: number; reads: Set<string>; writes: Set<string>; global: boolean; interrupted: boolean } | undefined;

  /** A step begins: `point` is about to be released as step `step`. */
  begin(step: number, point: ReadyPoint): void {
    this.end();
    this.current = { label: point.label, actor: point.actor, born: point.born ?? 0, reads: new Set(), writes: new Set(), global: false, interrupted: false };
    // Steps are numbered in order; a gap would misplace every later step.
    if (step !== this.done.length + 1) throw new RangeError(`StepRecorder: step ${step} follows step ${this.done.length}`);
  }

  /** The current step read (`write` false) or wrote `key`. */
  touch(key: string, write: boolean): void {
    if (!this.current) return;
    (write ? this.current.writes : this.current.reads).add(key);
  }

  /** The current step conflicts with everything (see {@link RunStep.global}); `interrupt`: because it interrupted a wait. */
  global(interrupt = false): void {
    if (!this.current) return;
    this.current.global = true;
    if (interrupt) this.current.interrupted = true;
  }

  /** The steps recorded so far, the current one included. */
  steps(): RunStep[] {
    this.end();
    return this.done;
  }

  private end(): void {
    const c = this.current;
    if (!c) return;
    this.done.push({ step: this.done.length + 1, label: c.label, actor: c.actor, born: c.born, reads: [...c.reads].sort(), writes: [...c.writes].sort(), global: c.global, ...(c.interrupted && { interrupted: true }) });
    this.current = undefined;
  }
}
