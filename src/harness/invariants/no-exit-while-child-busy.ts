import type { TraceEvent } from "../trace.ts";
import type { Invariant, Violation } from "./Invariant.ts";

/**
 * Reference invariant 8 (docs/design.md §9; the fork's fix, §6): the `run` command exits (returns, and the instance is
 * disposed) only when the main session and every descendant are idle and no wake-up is
 * pending. At the moment the observer returns, none of these may hold for the main session or
 * a descendant of it: a loop is running; a prompt is in flight (its message is still being
 * written, or it waits on a run that has not exited); the run command's own prompt has not
 * returned (its answer is what the command prints); a background job has not yet woken its
 * parent.
 */
export const noExitWhileChildBusy: Invariant = {
  name: "no-exit-while-child-busy",
  description: "the run command exits only when the main session and all its descendants are idle and no wake-up is pending",
  liveness: false,
  check(trace) {
    // Only a run that exits has anything to check: most traces have no run command at all.
    let exits = false;
    for (let i = 0; i < trace.length && !exits; i++) exits = trace[i]!.type === "run.exit";
    if (!exits) return [];
    const parents = new Map<string, string>();
    const loops = new Map<string, string>(); // runID -> session
    const requests = new Map<string, string>(); // request -> session
    const waits = new Map<string, string>(); // waiter -> runID
    const jobs = new Map<string, { parentID: string; child: string }>();
    const since = new Map<string, number>(); // runID, request or job -> the step it began
    const ownPrompts = new Map<string, string>(); // the run command's prompts that have not returned -> session
    for (const e of trace) {
      switch (e.type) {
        case "session.created":
          parents.set(e.sessionID, e.parentID);
          break;
        case "job.start":
          parents.set(e.sessionID, e.parentID);
          jobs.set(e.job, { parentID: e.parentID, child: e.sessionID });
          since.set(e.job, e.step);
          break;
        case "job.end":
          jobs.delete(e.job);
          break;
        case "loop.start":
          loops.set(e.runID, e.sessionID);
          since.set(e.runID, e.step);
          break;
        case "loop.end":
          loops.delete(e.runID);
          break;
        case "request.start":
          requests.set(e.request, e.sessionID);
          since.set(e.request, e.step);
          break;
        case "request.end":
          requests.delete(e.request);
          break;
        case "wait.start":
          waits.set(e.waiter, e.runID);
          break;
        case "wait.end":
          waits.delete(e.waiter);
          break;
        case "client.call":
          if (e.client === "run" && e.action === "prompt") {
            ownPrompts.set(e.request, e.sessionID);
            since.set(e.request, e.step);
          }
          break;
        case "client.return":
        case "client.error":
          ownPrompts.delete(e.request);
          break;
        case "run.exit":
          return busyAt(e, { parents, loops, requests, waits, jobs, since, ownPrompts });
      }
    }
    return [];
  },
};

interface State {
  readonly parents: ReadonlyMap<string, string>;
  readonly loops: ReadonlyMap<string, string>;
  readonly requests: ReadonlyMap<string, string>;
  readonly waits: ReadonlyMap<string, string>;
  readonly jobs: ReadonlyMap<string, { parentID: string; child: string }>;
  readonly since: ReadonlyMap<string, number>;
  readonly ownPrompts: ReadonlyMap<string, string>;
}

function busyAt(exit: Extract<TraceEvent, { type: "run.exit" }>, s: State): Violation[] {
  const inFamily = (sid: string): boolean => {
    for (let cur: string | undefined = sid, hops = 0; cur !== undefined && hops < 1000; cur = s.parents.get(cur), hops++) {
      if (cur === exit.sessionID) return true;
    }
    return false;
  };
  const who = (sid: string) => (sid === exit.sessionID ? `main session ${sid}` : `child session ${sid}`);
  const reasons: { sid: string; text: string; what: string; of: string }[] = [];
  for (const [runID, sid] of s.loops) if (inFamily(sid)) reasons.push({ sid, text: `${who(sid)} is busy: ${runID} is still running`, what: `${runID} forked`, of: runID });
  for (const [request, sid] of s.requests) {
    if (!inFamily(sid)) continue;
    const runID = s.waits.get(request);
    // A prompt waiting only for the `done` of a loop that has exited is over in all but name,
    // unless it is the run command's own: its answer is what the command prints.
    if (runID !== undefined && !s.loops.has(runID) && !s.ownPrompts.has(request)) continue;
    const what = runID === undefined ? "is still being stored" : s.loops.has(runID) ? `waits on ${runID}` : `has not returned (${runID} exited, its answer not delivered yet)`;
    reasons.push({ sid, text: `${who(sid)} is busy: prompt ${request} ${what}`, what: `prompt ${request} entered ${sid}`, of: request });
  }
  for (const [request, sid] of s.ownPrompts) {
    // Over in the server (request.end), its answer still on its way back to the command.
    if (!s.requests.has(request) && inFamily(sid)) reasons.push({ sid, text: `${who(sid)} is busy: the run's own prompt ${request} has not returned`, what: `the run sent ${request}`, of: request });
  }
  for (const [job, j] of s.jobs) {
    if (inFamily(j.parentID)) reasons.push({ sid: j.child, text: `background job ${job} has not yet woken ${j.parentID} with ${j.child}'s result`, what: `background job ${job} started`, of: job });
  }
  if (reasons.length === 0) return [];
  // Children first: they are what the exit kills.
  reasons.sort((a, b) => Number(a.sid === exit.sessionID) - Number(b.sid === exit.sessionID));
  const first = reasons[0]!;
  const more = reasons.length > 1 ? ` (and ${reasons.length - 1} more: ${reasons.slice(1).map((r) => r.text).join("; ")})` : "";
  return [
    {
      invariant: "no-exit-while-child-busy",
      step: exit.step,
      sessionID: first.sid,
      message: `run (observer ${exit.observer}) exited at step ${exit.step} and disposed the instance while ${first.text}${more}`,
      evidence: [
        ...(s.since.has(first.of) ? [{ step: s.since.get(first.of)!, what: first.what, role: "busy" }] : []),
        { step: exit.step, what: `the run command (observer ${exit.observer}) returned while ${first.text.replace(/^.*? is busy: /, "")}`, role: "observer" },
      ],
    },
  ];
}
