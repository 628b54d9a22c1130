import { actorOf } from "../scheduler/VirtualScheduler.ts";
import type { RunEnd, TraceEvent } from "../trace.ts";
import type { EventOf, Evidence } from "./Invariant.ts";

/** What something still waiting at rest waits for, and the steps that says so. */
export interface Block {
  readonly text: string;
  readonly evidence: readonly Evidence[];
}

/** Permission asks nobody answered, in ask order (an ask its run's interrupt withdrew is not one). */
export function unansweredAsks(trace: readonly TraceEvent[]): EventOf<"permission.asked">[] {
  const replied = new Set(trace.flatMap((e) => (e.type === "permission.replied" ? [e.permissionID] : [])));
  const open: EventOf<"permission.asked">[] = [];
  for (let i = 0; i < trace.length; i++) {
    const e = trace[i]!;
    if (e.type !== "permission.asked" || replied.has(e.permissionID)) continue;
    // A run of the session that ended after the ask took the ask with it.
    if (trace.slice(i + 1).some((x) => x.type === "loop.end" && x.sessionID === e.sessionID)) continue;
    open.push(e);
  }
  return open;
}

/** Sessions below `sid` (children by `session.created`/`job.start`, and theirs), `sid` included. */
function family(trace: readonly TraceEvent[], sid: string): Set<string> {
  const out = new Set([sid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const e of trace) {
      if ((e.type === "session.created" || e.type === "job.start") && out.has(e.parentID) && !out.has(e.sessionID)) {
        out.add(e.sessionID);
        grew = true;
      }
    }
  }
  return out;
}

/** The last step an actor released (from the run's labels), if the run has them. */
function lastStepOf(end: RunEnd, accept: (actor: string) => boolean): { step: number; label: string } | undefined {
  const labels = end.labels ?? [];
  for (let i = labels.length - 1; i >= 0; i--) if (accept(actorOf(labels[i]!))) return { step: i + 1, label: labels[i]! };
  return undefined;
}

/**
 * Why run `runID` of session `sid` never resolves the callers waiting on its `done`: it
 * exited and did not; or it is stuck on a permission ask nobody answered (its session's or a
 * descendant's, as a sync child's tool call); or it simply released nothing after its last step.
 */
export function runBlock(trace: readonly TraceEvent[], end: RunEnd, runID: string, sid: string): Block {
  const exit = trace.find((e) => e.type === "loop.end" && e.runID === runID);
  if (exit?.type === "loop.end") {
    return { text: `${runID} exited (${exit.outcome}) at step ${exit.step} without resolving it`, evidence: [{ step: exit.step, what: `${runID} exited (${exit.outcome}) without resolving its waiters`, role: "run" }] };
  }
  const asks = unansweredAsks(trace).filter((a) => family(trace, sid).has(a.sessionID));
  if (asks.length > 0) {
    const a = asks[0]!;
    return {
      text: `${runID} waits for permission ${a.permissionID} (${a.tool}) that ${a.sessionID} asked at step ${a.step}, which nobody answered`,
      evidence: [{ step: a.step, what: `${a.sessionID}'s unanswered permission ask ${a.permissionID} (${a.tool})`, role: "asker" }],
    };
  }
  const last = lastStepOf(end, (actor) => actor === runID);
  if (last) return { text: `${runID} released nothing after its step ${last.step} ('${last.label}')`, evidence: [{ step: last.step, what: `${runID}'s last step`, role: "run" }] };
  const started = trace.find((e) => e.type === "loop.start" && e.runID === runID);
  return started ? { text: `${runID} never exited`, evidence: [{ step: started.step, what: `${runID} forked`, role: "run" }] } : { text: `${runID} never started`, evidence: [] };
}

/**
 * What a client call still pending at rest waits for: the run it joined (see
 * {@link runBlock}); for the run command, what its observer was last told and the asks nobody
 * answered; else its request's last step.
 */
export function requestBlock(trace: readonly TraceEvent[], end: RunEnd, request: string): Block {
  const waits = trace.filter((e): e is EventOf<"wait.start"> => e.type === "wait.start" && e.waiter === request);
  const open = waits.find((w) => !trace.some((e, i) => i > trace.indexOf(w) && e.type === "wait.end" && e.waiter === request));
  if (open) {
    const block = runBlock(trace, end, open.runID, open.sessionID);
    return { text: `it waits on ${open.runID}: ${block.text}`, evidence: [{ step: open.step, what: `${request} joined ${open.runID}`, role: "waiter" }, ...block.evidence] };
  }
  if (request === "run") {
    const start = trace.find((e) => e.type === "run.start");
    const asks = start?.type === "run.start" ? unansweredAsks(trace).filter((a) => family(trace, start.sessionID).has(a.sessionID)) : [];
    const last = lastStepOf(end, (actor) => actor === "run" || actor.startsWith("run."));
    const parts = [
      ...asks.map((a) => `${a.sessionID} asked permission ${a.permissionID} (${a.tool}) at step ${a.step} and nobody answered it`),
      ...(last ? [`its observer's last step was '${last.label}' (${last.step})`] : []),
    ];
    return {
      text: parts.join("; "),
      evidence: [
        ...(start ? [{ step: start.step, what: `the run command started on ${start.type === "run.start" ? start.sessionID : "?"}`, role: "observer" }] : []),
        ...asks.map((a) => ({ step: a.step, what: `${a.sessionID}'s unanswered permission ask ${a.permissionID} (${a.tool})`, role: "asker" })),
        ...(last ? [{ step: last.step, what: "the observer's last step", role: "observer" }] : []),
      ],
    };
  }
  const last = lastStepOf(end, (actor) => actor === request || actor.startsWith(`${request}.`));
  return last ? { text: `its last step was '${last.label}' (${last.step})`, evidence: [{ step: last.step, what: `${request}'s last step`, role: "caller" }] } : { text: "", evidence: [] };
}
