import type { TraceEvent } from "../trace.ts";

/**
 * One event in a few words, for timelines; `undefined` for events not worth a line. An event of
 * a second (third, ...) server instance says which: `status s1 = idle [instance 2]`.
 */
export function describeEvent(e: TraceEvent): string | undefined {
  const text = describeOne(e);
  return text !== undefined && e.instance !== undefined ? `${text} [instance ${e.instance}]` : text;
}

function describeOne(e: TraceEvent): string | undefined {
  switch (e.type) {
    case "client.call":
      return `${e.request}: ${e.action} ${e.sessionID}${e.noReply ? " (noReply)" : ""}`;
    case "client.read":
      return `${e.request}: read ${e.sessionID} = ${e.status} -> ${e.acts ? e.action : `skips ${e.action} (only if ${e.ifStatus})`}`;
    case "client.return":
      return e.message ? `${e.request} returns ${e.message.role} ${e.message.id}` : `${e.request} returns`;
    case "client.error":
      return `${e.request} throws: ${e.error}`;
    case "llm.call":
      return `LLM step for ${e.runID} sees [${e.seen.map((s) => `${s.id}:${s.parts}p`).join(", ")}] -> ${e.reply}`;
    case "message": {
      const m = e.message;
      if (m.role === "user") return `user ${m.id} (${m.request ?? "?"}) ${m.parts === 0 ? "stored" : `part ${m.parts}`}`;
      if (m.finish) return `assistant ${m.id} finished: ${m.finish}`;
      return m.parts === 0 ? `assistant ${m.id} -> ${m.parentID ?? "?"} created` : `assistant ${m.id} part ${m.parts}`;
    }
    case "tool.part":
      return `${e.messageID} tool ${e.call} (${e.tool}) ${e.status}${e.by.includes(" halt") || e.by.includes(".tool") ? ` by ${e.by}` : ""}`;
    case "runners.set":
      return `runners.set(${e.sessionID}, ${e.runner})`;
    case "runners.delete":
      return `runners.delete(${e.sessionID}) removes ${e.runner}`;
    case "runner.state":
      return `${e.runner} -> ${e.state}${e.runID ? ` ${e.runID}` : ""}`;
    case "loop.start":
      return `loop ${e.runID} forked`;
    case "loop.end":
      return `loop ${e.runID} exits (${e.outcome})`;
    case "status":
      return `status ${e.sessionID} = ${e.status}`;
    case "idle":
      return undefined;
    case "session.error":
      return `session.error ${e.sessionID}: ${e.error}`;
    case "wait.start":
      return `${e.waiter} waits on ${e.runID}`;
    case "wait.end":
      return `${e.waiter} resumes`;
    case "cancel.start":
      return `cancel ${e.sessionID} begins`;
    case "cancel.end":
      return `cancel ${e.sessionID} done`;
    case "request.start":
    case "request.end":
      return undefined;
    case "session.created":
      return `session ${e.sessionID} created (parent ${e.parentID})`;
    case "permission.asked":
      return `${e.sessionID} asks permission ${e.permissionID} (${e.tool})`;
    case "permission.replied":
      return `permission ${e.permissionID}: ${e.reply}`;
    case "job.start":
      return `job ${e.job} started (${e.style}: ${e.parentID} -> ${e.sessionID})`;
    case "job.end":
      return `job ${e.job} ends (${e.outcome})`;
    case "instance.disposed":
      return "instance disposed; event streams close";
    case "run.start":
      return `run starts on ${e.sessionID} (observer ${e.observer})`;
    case "run.exit":
      return `run returns (observer ${e.observer}); dispose begins`;
    case "run.disposed":
      return "dispose done";
    case "process.exit":
      return `process.exit(${e.code})`;
  }
}
