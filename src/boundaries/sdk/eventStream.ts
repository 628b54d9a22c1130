import { describeBusEvent } from "../describeBusEvent.ts";
import type { BusEvent } from "../port.ts";
import type { Event } from "./opencodeTypes.ts";
import type { ServerWorld } from "./opencodeServer.ts";

const encoder = new TextEncoder();

/**
 * The body of one `GET /event` stream: events queue as the bus publishes them and go out one per
 * scheduling point (`<actor> <event>`, the labels racelab has always used for a subscriber), in
 * order; the clean end of the stream (the instance was disposed) comes after the last event.
 */
export function eventStream(actor: string, world: ServerWorld) {
  const queue: { readonly label: string; readonly data?: Event }[] = [];
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let pumping = false;
  let ended = false;
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
  });
  const pump = async () => {
    pumping = true;
    while (queue.length > 0) {
      const next = queue[0]!;
      await world.point(`${actor} ${next.label}`);
      queue.shift();
      world.touch?.(`sse:${actor}`, true);
      if (next.data) controller.enqueue(encoder.encode(`id: ${next.data.id}\ndata: ${JSON.stringify(next.data)}\n\n`));
      else controller.close();
    }
    pumping = false;
  };
  const push = (item: { readonly label: string; readonly data?: Event }) => {
    if (ended) return;
    if (!item.data) ended = true;
    world.touch?.(`sse:${actor}`, true);
    queue.push(item);
    if (!pumping) void pump();
  };
  return {
    body,
    /** Queues one event; `about` names its point (a bus event, or the label itself). */
    send(data: Event, about: BusEvent | string) {
      push({ label: typeof about === "string" ? about : describeBusEvent(about), data });
    },
    /** Ends the stream cleanly after the events already queued. */
    end() {
      push({ label: "close" });
    },
  };
}
