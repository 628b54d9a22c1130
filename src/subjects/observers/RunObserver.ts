import type { BusListener, PermissionReply, PromptResult, Timers } from "../../boundaries/port.ts";

/** What the `run` command sees and can do: the server API over its transport, and virtual time. */
export interface ObserverContext {
  /** The main session. */
  readonly main: string;
  /** Sends the run's prompt to the main session (`POST /session/:id/message`) and awaits the reply. */
  prompt(): Promise<PromptResult>;
  /** `GET /event`: each bus event is delivered at its own scheduling point, in publish order. */
  subscribe(listener: BusListener): void;
  /** `POST /session/:id/permissions/:permissionID`. */
  replyPermission(sessionID: string, permissionID: string, reply: PermissionReply): void;
  readonly timers: Timers;
  /** `process.exit(code)`: the process ends at once, whatever is still running. */
  exit(code: number): void;
}

/**
 * How `opencode run` decides it is done (docs/design.md §6). `run` returns when
 * the command would return from `execute()`; the harness then disposes the instance.
 */
export interface RunObserver {
  readonly name: string;
  readonly description: string;
  run(ctx: ObserverContext): Promise<void>;
}

/** A promise and its resolver, for an observer's `done`. */
export function signal(): { readonly promise: Promise<void>; resolve(): void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
