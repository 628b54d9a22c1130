import type { RunObserver } from "./RunObserver.ts";
import { watchEvents } from "./watchEvents.ts";

/**
 * The fork's fix (docs/design.md §6): a `busy` set from `session.status` events (busy/retry add,
 * idle deletes); done once the main session has been idle and the set is empty, or when the
 * event stream ends. After the prompt and `await done`, an unref'd 2 s timer calls
 * `process.exit(0)` (for plugin handles that keep the process alive). Permission asks of the
 * main session are allowed.
 *
 * Its windows: a child that is not busy *yet* (its prompt is still being written) is not in
 * the set; and the child's last idle can empty the set before the parent has been woken.
 */
export const busySet: RunObserver = {
  name: "busy-set",
  description: "the fork's fix: wait until main has been idle and no session is in the busy set (plus a 2 s fallback exit)",
  async run({ client, main, parts, timers, exit }) {
    const busy = new Set<string>();
    let mainIdle = false;
    const done = watchEvents(client, (event) => {
      if (event.type === "session.status") {
        const { sessionID, status } = event.properties;
        if (status.type === "idle") busy.delete(sessionID);
        else busy.add(sessionID);
        if (sessionID === main && status.type === "idle") mainIdle = true;
        if (mainIdle && busy.size === 0) return "stop";
      } else if (event.type === "permission.asked" && event.properties.sessionID === main) {
        void client.permission.reply({ requestID: event.properties.id, reply: "once" });
      }
    });
    await done.connected;
    await client.session.prompt({ sessionID: main, parts });
    await done.ended;
    timers.setTimeout("run exit-fallback", 2000, () => exit(0), { unref: true });
  },
};
