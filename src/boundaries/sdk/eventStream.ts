import { describeBusEvent } from "../describeBusEvent.ts";
import type { BusEvent } from "../port.ts";
import type { Event } from "./opencodeTypes.ts";
import type { ServerWorld } from "./opencodeApi.ts";

/** Where a stream's events go, one at a time: an event, or `undefined` for the clean end. */
export type EventSink = (event: Event | undefined) => void;

/**
 * One `GET /event` stream: events queue as the bus publishes them and go to `sink` one per
 * scheduling point (`<actor> <event>`, the labels racelab has always used for a subscriber), in
 * order; the clean end of the stream (the instance was disposed) comes after the last event.
 */
export function eventStream(actor: string, world: ServerWorld, sink: EventSink) {
  const queue: { readonly label: string; readonly data?: Event }[] = [];
  let pumping = false;
  let ended = false;
  const pump = async () => {
    pumping = true;
    while (queue.length > 0) {
      const next = queue[0]!;
      await world.point(`${actor} ${next.label}`);
      queue.shift();
      world.touch?.(`sse:${actor}`, true);
      sink(next.data);
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
