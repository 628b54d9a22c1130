import type { OpencodeClient, TextPartInput } from "../../boundaries/sdk/opencodeTypes.ts";
import type { Timers } from "../../boundaries/port.ts";

/**
 * What the `run` command has, as opencode's own `run` has it: a real `@opencode-ai/sdk` v2 client
 * (`createOpencodeClient`) whose `fetch` is the run's msw boundary to the simulated server, the
 * main session and the prompt to send, virtual time, and `process.exit`.
 */
export interface ObserverContext {
  /** The SDK client. Its SSE retry sleep runs on the run's virtual clock. */
  readonly client: OpencodeClient;
  /** The main session. */
  readonly main: string;
  /** The run's prompt, as `client.session.prompt({ sessionID: main, parts })` takes it. */
  readonly parts: TextPartInput[];
  /** Timers on the run's virtual clock; each has a label, which names its scheduling point. */
  readonly timers: Timers;
  /** `process.exit(code)`: the process ends at once, whatever is still running. */
  exit(code: number): void;
}

/**
 * How `opencode run` decides it is done (docs/design.md §6): plain async code over the SDK
 * client. `run` returns when the command would return from `execute()`; the harness then
 * disposes the instance. A user's observer module default-exports one of these.
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
