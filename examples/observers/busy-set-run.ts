/**
 * The end of a fork's `opencode run`, as a user would write it over @opencode-ai/sdk: a set of
 * busy sessions fed by `session.status`, done once the main session has been idle and the set
 * is empty; then an unref'd 2 s timer exits the process.
 *
 *   npx racelab explore background-child-run --runner upstream --observer ./examples/observers/busy-set-run.ts --transport http --seed 1
 *
 * exits 1 with no-exit-while-child-busy: a background child that is not busy *yet* is not in
 * the set, so the set can be empty while the child is about to run.
 */
import type { RunObserver } from "racelab";

const busySetRun: RunObserver = {
  name: "busy-set-run",
  description: "the fork's busy set, written as a user file over the SDK",
  async run({ client, main, parts, timers, exit }) {
    const events = await client.event.subscribe();
    const busy = new Set<string>();
    let mainIdle = false;
    let connected!: () => void;
    const ready = new Promise<void>((resolve) => (connected = resolve));
    const done = (async () => {
      for await (const event of events.stream) {
        if (event.type === "server.connected") connected();
        if (event.type === "session.status") {
          const { sessionID, status } = event.properties;
          if (status.type === "idle") busy.delete(sessionID);
          else busy.add(sessionID);
          if (sessionID === main && status.type === "idle") mainIdle = true;
          if (mainIdle && busy.size === 0) return;
        }
        if (event.type === "permission.asked" && event.properties.sessionID === main) {
          await client.permission.reply({ requestID: event.properties.id, reply: "once" });
        }
      }
    })();
    await ready;
    await client.session.prompt({ sessionID: main, parts });
    await done;
    timers.setTimeout("run exit-fallback", 2000, () => exit(0), { unref: true });
  },
};

export default busySetRun;
