import { signal, type RunObserver } from "./RunObserver.ts";
import { watchEvents } from "./watchEvents.ts";

/**
 * `opencode run` before the fork's fix (docs/design.md §6): send the prompt, and return as soon as it
 * answers or the main session publishes `session.idle`. Background children are not looked at:
 * the dispose that follows cancels them mid-work. Permission asks of the main session are allowed.
 */
export const mainIdle: RunObserver = {
  name: "main-idle",
  description: "before the fork's fix: return when the main session answers or publishes idle",
  async run({ client, main, parts }) {
    const done = signal();
    const watch = watchEvents(client, (event) => {
      if (event.type === "session.idle" && event.properties.sessionID === main) return "stop";
      if (event.type === "permission.asked" && event.properties.sessionID === main) void client.permission.reply({ requestID: event.properties.id, reply: "once" });
    });
    void watch.ended.then(done.resolve);
    await watch.connected;
    client.session.prompt({ sessionID: main, parts }).then(done.resolve, done.resolve);
    await done.promise;
  },
};
