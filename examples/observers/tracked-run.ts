/**
 * A `run` that waits for what it started, as a user file over @opencode-ai/sdk: it tracks the
 * main session's descendants from `session.created` and from the `task` tool parts of
 * background jobs (not from their first busy), treats a session as idle only while its latest
 * status says so, answers their permission asks, and returns once its prompt has answered,
 * every tracked session is idle and no background job is still to wake its parent.
 *
 *   npx racelab explore background-child-run --runner fixed --observer ./examples/observers/tracked-run.ts --transport http --seed 1
 *
 * exits 0; with `--runner upstream` it still fails, on the runner's own races.
 */
import type { RunObserver } from "racelab";

const trackedRun: RunObserver = {
  name: "tracked-run",
  description: "track descendants from creation and jobs from their task part; wait for all of them",
  async run({ client, main, parts }) {
    const events = await client.event.subscribe();
    const idle = new Map<string, boolean>([[main, false]]);
    const jobs = new Set<string>();
    let answered = false;
    let prompted = false;
    let acceptedBusy = false;
    let connected!: () => void;
    const ready = new Promise<void>((resolve) => (connected = resolve));
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const check = () => {
      if (answered && jobs.size === 0 && [...idle.values()].every(Boolean)) finish();
    };
    void (async () => {
      for await (const event of events.stream) {
        switch (event.type) {
          case "server.connected":
            connected();
            break;
          case "session.created": {
            const { sessionID, info } = event.properties;
            if (info.parentID && idle.has(info.parentID) && !idle.has(sessionID)) idle.set(sessionID, false);
            break;
          }
          case "message.part.updated": {
            const { part } = event.properties;
            if (part.type !== "tool" || part.tool !== "task") break;
            if (part.state.status === "running" && idle.has(part.sessionID)) {
              jobs.add(part.callID);
              const child = part.state.metadata?.["sessionId"];
              if (typeof child === "string" && !idle.has(child)) idle.set(child, false);
            } else if (part.state.status === "completed" || part.state.status === "error") {
              jobs.delete(part.callID);
            }
            break;
          }
          case "session.status": {
            const { sessionID, status } = event.properties;
            // Events lag behind: an idle of main from before its prompt was accepted can still
            // arrive after the prompt was sent. Main counts as idle only after that busy.
            if (sessionID === main && status.type !== "idle" && prompted) acceptedBusy = true;
            if (idle.has(sessionID)) idle.set(sessionID, status.type === "idle" && (sessionID !== main || acceptedBusy));
            break;
          }
          case "permission.asked":
            if (idle.has(event.properties.sessionID)) void client.permission.reply({ requestID: event.properties.id, reply: "once" });
            break;
        }
        check();
      }
      // The stream ended (the instance was disposed): nothing more will come.
      finish();
    })();
    await ready;
    prompted = true;
    await client.session.prompt({ sessionID: main, parts });
    answered = true;
    check();
    await finished;
  },
};

export default trackedRun;
