import type { Event, OpencodeClient } from "../../boundaries/sdk/opencodeTypes.ts";
import { signal } from "./RunObserver.ts";

/** What {@link watchEvents} gives back. */
export interface EventWatch {
  /** Resolves at the stream's `server.connected`: from then on no event is missed. */
  readonly connected: Promise<void>;
  /** Resolves when the handler said stop, or the stream ended. */
  readonly ended: Promise<void>;
}

/**
 * `for await (const event of (await client.event.subscribe()).stream)`, as opencode's run
 * command loops, with each event handed to `onEvent` until it returns `"stop"` or the stream
 * ends. The built-in observers wait for `connected` before they prompt, so the first status of
 * their own prompt cannot be published before the stream exists.
 */
export function watchEvents(client: OpencodeClient, onEvent: (event: Event) => "stop" | void): EventWatch {
  const connected = signal();
  const ended = signal();
  void (async () => {
    try {
      const events = await client.event.subscribe();
      for await (const event of events.stream) {
        if (event.type === "server.connected") connected.resolve();
        if (onEvent(event) === "stop") break;
      }
    } finally {
      // A stream that ends before it connected must not leave the prompt waiting forever.
      connected.resolve();
      ended.resolve();
    }
  })();
  return { connected: connected.promise, ended: ended.promise };
}
