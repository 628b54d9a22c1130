import type { MessageInfo, RunnerEvent, SessionStatus } from "../boundaries/port.ts";

/** Events the harness itself records around the runner (clients, the LLM, the driver). */
export type HarnessEvent =
  | {
      readonly type: "client.call";
      readonly client: string;
      readonly request: string;
      readonly action: "prompt" | "prompt_async" | "cancel" | "run";
      readonly sessionID: string;
      readonly noReply?: boolean;
    }
  /**
   * A client read the session's status before an action with `ifStatus` (check, then act):
   * what it read, and whether the action goes ahead (at the client's next point) or is skipped.
   */
  | {
      readonly type: "client.read";
      readonly client: string;
      readonly request: string;
      readonly action: "prompt" | "prompt_async" | "cancel";
      readonly sessionID: string;
      /** The session's entry in the status map; a session absent from it reads idle. */
      readonly status: SessionStatus;
      /** The status the action waits for. */
      readonly ifStatus: SessionStatus;
      /** `status === ifStatus`: the action is sent; otherwise it is skipped. */
      readonly acts: boolean;
    }
  | { readonly type: "client.return"; readonly request: string; readonly message?: MessageInfo }
  | { readonly type: "client.error"; readonly request: string; readonly error: string }
  /** The code under test reached around racelab's control (a real timer); the run ends here. */
  | { readonly type: "uncontrolled"; readonly api: string; readonly call: string }
  | {
      readonly type: "llm.call";
      readonly sessionID: string;
      readonly runID: string;
      readonly assistantID: string;
      /** The user messages the step saw, with the number of parts each had when read. */
      readonly seen: readonly { readonly id: string; readonly parts: number }[];
      readonly reply: string;
    };

/** Events of the `run` command (scenarios with `run`). */
export type RunEvent =
  | { readonly type: "run.start"; readonly sessionID: string; readonly observer: string }
  /** The observer decided the run is done: `execute()` returns and dispose begins. */
  | { readonly type: "run.exit"; readonly sessionID: string; readonly observer: string }
  | { readonly type: "run.disposed" }
  /** `process.exit`: everything still running stops here. */
  | { readonly type: "process.exit"; readonly code: number };

/**
 * Anything that can appear in a run's trace. In a world of several server instances (a
 * scenario with `instances`), `instance` names the instance ("2", "3", ...) whose runner
 * reported the event or whose status map a client read; absent for the first instance and for
 * what all instances share (the store's messages, the LLM).
 */
export type AnyEvent = (RunnerEvent | HarnessEvent | RunEvent) & { readonly instance?: string };

/** An event stamped with the step (1-based released point) during which it happened; 0 = before the first. */
export type TraceEvent = AnyEvent & { readonly step: number };

/** How a run ended, as the invariants need to know it. */
export interface RunEnd {
  /** The program reached quiescence with no ready point left (liveness checks apply). */
  readonly atRest: boolean;
  /** Steps released. */
  readonly steps: number;
  /**
   * The released labels, in order (step i + 1 released `labels[i]`): who ran when. Absent
   * where racelab's scheduler did not drive the run (a foreign scheduler, a post-mortem).
   */
  readonly labels?: readonly string[];
  /** The step limit stopped the run. */
  readonly limitHit: boolean;
  /** The step limit in force (`--max-steps` times the runner's step scale). */
  readonly maxSteps: number;
  /** The runner's step scale, when it is not 1 (racelab/effect runners). */
  readonly stepScale?: number;
  /** Client calls still waiting when the run ended (request ids). */
  readonly pendingCalls: readonly string[];
  /** The process exited (`process.exit`) before it came to rest. */
  readonly exited?: boolean;
  /** The run never came back: its last step spun, flooded or outgrew the heap cap (a sandbox stopped it). */
  readonly fault?: RunFault;
}

/** How a sandboxed run was stopped (see `runner-timeout`, `runner-oom`). */
export interface RunFault {
  readonly kind: "timeout" | "oom";
  /** The step that never returned (1-based; 0: building the runner or starting the clients). */
  readonly step: number;
  /** Its label, and the actor it belongs to ("" for step 0). */
  readonly label: string;
  readonly actor: string;
  /** The budget it broke: ms for a timeout, MiB for the heap. */
  readonly limit: number;
}

/**
 * The session as one instance's state knows it: `s1` on the first instance, `s1@2` on the
 * second. Invariants about an instance's own state (its runners map, its bus) key by this;
 * those about the shared store and its loops (one loop per session) by the session alone.
 */
export function sessionOnInstance(e: { readonly sessionID: string; readonly instance?: string }): string {
  return e.instance === undefined ? e.sessionID : `${e.sessionID}@${e.instance}`;
}
