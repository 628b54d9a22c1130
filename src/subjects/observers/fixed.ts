import { signal, type RunObserver } from "./RunObserver.ts";
import { watchEvents } from "./watchEvents.ts";

/**
 * The observer of docs/design.md §8: track the main session's descendants from
 * `session.created` and from the `task` tool parts of background jobs (not from their first
 * busy), take a session as idle only while its latest status is idle (a busy resets it, and
 * main counts as idle only after the busy that accepted its prompt: the stream lags),
 * answer the permission asks of every session it tracks, and return only when the prompt has
 * answered, every tracked session is idle and no background job is still to wake its parent.
 */
export const fixedObserver: RunObserver = {
  name: "fixed",
  description: "docs/design.md §8: track descendants from creation, reset idle on busy, answer their asks, wait for every job's wake-up",
  async run({ client, main, parts }) {
    const idle = new Map<string, boolean>([[main, false]]);
    const jobs = new Set<string>();
    let answered = false;
    let prompted = false;
    let acceptedBusy = false;
    const done = signal();
    const check = () => {
      const finished = answered && jobs.size === 0 && [...idle.values()].every(Boolean);
      if (finished) done.resolve();
      return finished;
    };
    const watch = watchEvents(client, (event) => {
      if (event.type === "session.created") {
        const { sessionID, info } = event.properties;
        if (info.parentID !== undefined && idle.has(info.parentID) && !idle.has(sessionID)) idle.set(sessionID, false);
      } else if (event.type === "message.part.updated") {
        const { part } = event.properties;
        if (part.type === "tool" && part.tool === "task") {
          const job = part.callID;
          if (part.state.status === "running" && idle.has(part.sessionID)) {
            jobs.add(job);
            const child = part.state.metadata?.["sessionId"];
            if (typeof child === "string" && !idle.has(child)) idle.set(child, false);
          } else if (part.state.status === "completed" || part.state.status === "error") {
            jobs.delete(job);
          }
        }
      } else if (event.type === "session.status" && idle.has(event.properties.sessionID)) {
        const { sessionID, status } = event.properties;
        // The stream lags: an idle of main published before its prompt was accepted can arrive
        // after the prompt was sent. Main's idle counts only after the busy of the acceptance.
        if (sessionID === main && status.type !== "idle" && prompted) acceptedBusy = true;
        idle.set(sessionID, status.type === "idle" && (sessionID !== main || acceptedBusy));
      } else if (event.type === "permission.asked" && idle.has(event.properties.sessionID)) {
        void client.permission.reply({ requestID: event.properties.id, reply: "once" });
      }
      if (check()) return "stop";
    });
    void watch.ended.then(done.resolve);
    await watch.connected;
    prompted = true;
    await client.session.prompt({ sessionID: main, parts });
    answered = true;
    // The last event may have come before the answer: look again without waiting for another.
    check();
    await done.promise;
  },
};
