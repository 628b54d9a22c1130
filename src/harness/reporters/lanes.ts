import type { Violation } from "../invariants/Invariant.ts";
import { describeEvent } from "../report/describeEvent.ts";
import type { Scenario } from "../scenario/schema.ts";
import { actorOf } from "../scheduler/VirtualScheduler.ts";
import type { TraceEvent } from "../trace.ts";
import type { FailureReport } from "./FailureReport.ts";

/**
 * The shared lane model of the failure reporters: which lane (actor) each step belongs to.
 *
 * Lanes, in this order:
 * 1. `client`: one per scenario client (`a`, `b`), declared order. A client's own points
 *    (`a: prompt s1`, an `ifStatus` read `a: read s1`) and the server-side points of its
 *    requests (`a1 write user info`, `a1.c1 cancel job c1.job`) go here: the request ids come
 *    from the trace's `client.call` events (`request` -> `client`), so the lane says whose
 *    call the step is working for.
 * 2. `run`: the `run` command and its observer (scenarios with `run`): `run: start main`,
 *    its prompt `run1 ...`, its event stream `run.sse ...` and the instance dispose
 *    (`dispose...`, the request name createWorld gives `server.dispose`).
 * 3. `actor`: every other actor of the runner, by first appearance: loops (`s1.run1`),
 *    prune fibers (`s1.run1.prune`), jobs (`c1.job`), the runner's own prompts (`c1.task`,
 *    `c1.bg`, `c1.job.inject`). The actor is {@link actorOf} the label, as the scheduler has it.
 * 4. `llm` (`LLM`): the LLM call points `<run> llm` and, over HTTP, `<run> llm chunk i/n`
 *    (createWorld and transport/http.ts name them so).
 * 5. `timers`: steps that fire a virtual timer; see {@link isTimerLabel}.
 *
 * LLM and timer lanes are present only when a step uses them; client lanes always are.
 */
export interface LaneModel {
  readonly lanes: readonly Lane[];
  /** One item per released step, in step order (`steps[i].step === i + 1`). */
  readonly steps: readonly LaneStep[];
  /** What happened before the first step (events at step 0, violations at step 0). */
  readonly before: StepExtras;
  /** What is stamped after the last step (violations of end-of-run checks past it). */
  readonly after: StepExtras;
}

/** The kind of a lane; reporters colour lanes by it. */
export type LaneKind = "client" | "run" | "actor" | "llm" | "timers";

/** One lane (swimlane, thread, participant). */
export interface Lane {
  /** Unique among the lanes: the client name, `run`, the actor, `LLM` or `timers`. */
  readonly name: string;
  readonly kind: LaneKind;
}

/** One released step, placed in its lane. */
export interface LaneStep {
  /** 1-based. */
  readonly step: number;
  /** Name of the lane it belongs to. */
  readonly lane: string;
  /** The released label, as recorded in `choices`. */
  readonly label: string;
  /** The events of the step, each in a few words ({@link describeEvent}); silent events left out. */
  readonly events: readonly string[];
  /** Violations that became observable at this step. */
  readonly violations: readonly Violation[];
  /** The causal chains this step is a link of (see src/harness/explain/): which violation, and what the step did. */
  readonly causes: readonly CauseMark[];
}

/** A step's place in one violation's causal chain. */
export interface CauseMark {
  readonly invariant: string;
  /** 1-based position in the chain, and the chain's length. */
  readonly position: number;
  readonly of: number;
  /** What the step did, in the chain's words. */
  readonly what: string;
}

/** Events and violations that belong to no released step. */
export interface StepExtras {
  readonly events: readonly string[];
  readonly violations: readonly Violation[];
}

/** Name of the LLM lane. */
export const LLM_LANE = "LLM";
/** Name of the timers lane. */
export const TIMERS_LANE = "timers";
/** Name of the run command's lane. */
export const RUN_LANE = "run";

/**
 * Whether a released label fired a virtual timer. A schedule records labels only, so this
 * is decided from the label. Timers are set only through `RunnerPort.timers`, and the
 * labels the code gives them are: `${job.id} sleep 300ms` (src/subjects/runner/children.ts, the
 * background job's resumeWhenIdle poll) and `run exit-fallback` (src/subjects/observers/busy-set.ts,
 * the unref'd fallback exit). The rule covers that naming: the part after the actor is
 * `sleep <n>ms|s` (any duration) or ends in `exit-fallback` (a scheduler's ` (n)` suffix
 * for a duplicate label is ignored). A new timer should follow it (`<actor> sleep <ms>ms`).
 */
export function isTimerLabel(label: string): boolean {
  const what = actionOf(withoutDuplicateSuffix(label));
  return /^sleep \d+(?:\.\d+)?m?s$/.test(what) || /(?:^|\s)exit-fallback$/.test(what);
}

/** Builds the lane model of a run. Pure: the same report gives the same model. */
export function laneModel(report: Pick<FailureReport, "scenario" | "choices" | "trace" | "violations">): LaneModel {
  const last = report.choices.length;
  const eventsByStep = new Map<number, string[]>();
  for (const e of report.trace) {
    const text = describeEvent(e);
    if (text === undefined) continue;
    const step = e.step > last ? last + 1 : Math.max(0, e.step);
    const list = eventsByStep.get(step) ?? [];
    list.push(text);
    eventsByStep.set(step, list);
  }
  const violationsAt = (step: number): Violation[] =>
    report.violations.filter((v) => (step === 0 ? v.step <= 0 : step === last + 1 ? v.step > last : v.step === step));

  const causesAt = new Map<number, CauseMark[]>();
  for (const v of report.violations) {
    const chain = v.cause?.steps ?? [];
    chain.forEach((c, i) => {
      const list = causesAt.get(c.step) ?? [];
      list.push({ invariant: v.invariant, position: i + 1, of: chain.length, what: c.what });
      causesAt.set(c.step, list);
    });
  }
  const classify = classifier(report.scenario, report.trace);
  const actorLanes: string[] = [];
  let llm = false;
  let timers = false;
  const steps: LaneStep[] = report.choices.map((label, i) => {
    const lane = classify(label);
    if (lane.kind === "actor" && !actorLanes.includes(lane.name)) actorLanes.push(lane.name);
    if (lane.kind === "llm") llm = true;
    if (lane.kind === "timers") timers = true;
    return { step: i + 1, lane: lane.name, label, events: eventsByStep.get(i + 1) ?? [], violations: violationsAt(i + 1), causes: causesAt.get(i + 1) ?? [] };
  });

  const lanes: Lane[] = report.scenario.clients.map((c) => ({ name: c.name, kind: "client" as const }));
  const taken = new Set(lanes.map((l) => l.name));
  const add = (lane: Lane) => {
    // A name can only collide in a hand-made report (a client named like an actor): keep one lane.
    if (taken.has(lane.name)) return;
    taken.add(lane.name);
    lanes.push(lane);
  };
  if (report.scenario.run) add({ name: RUN_LANE, kind: "run" });
  for (const name of actorLanes) add({ name, kind: "actor" });
  if (llm) add({ name: LLM_LANE, kind: "llm" });
  if (timers) add({ name: TIMERS_LANE, kind: "timers" });
  return {
    lanes,
    steps,
    before: { events: eventsByStep.get(0) ?? [], violations: violationsAt(0) },
    after: { events: eventsByStep.get(last + 1) ?? [], violations: violationsAt(last + 1) },
  };
}

/** Decides the lane of a label from what the scenario and the trace say about its actor. */
function classifier(scenario: Scenario, trace: readonly TraceEvent[]): (label: string) => Lane {
  const clients = new Set(scenario.clients.map((c) => c.name));
  // Request id -> who made it: the trace's client.call events (the run command's is "run"),
  // and client.read for an action its read skipped.
  const owners = new Map<string, string>();
  for (const e of trace) if (e.type === "client.call" || e.type === "client.read") owners.set(e.request, e.client);
  const sessions = knownSessions(scenario, trace);
  // Longest names first, so that client "a1" wins over client "a" for request "a11".
  const byLength = [...clients].sort((x, y) => y.length - x.length || (x < y ? -1 : 1));
  const ownerLane = (owner: string): Lane | undefined => {
    if (owner === RUN_LANE && scenario.run) return { name: RUN_LANE, kind: "run" };
    return clients.has(owner) ? { name: owner, kind: "client" } : undefined;
  };
  return (label) => {
    const base = withoutDuplicateSuffix(label);
    if (isTimerLabel(base)) return { name: TIMERS_LANE, kind: "timers" };
    if (/^llm(?: chunk \d+\/\d+)?$/.test(actionOf(base))) return { name: LLM_LANE, kind: "llm" };
    const actor = actorOf(base);
    const root = actor.split(".")[0]!;
    if (scenario.run && (root === RUN_LANE || root === "dispose")) return { name: RUN_LANE, kind: "run" };
    if (clients.has(actor)) return { name: actor, kind: "client" };
    const exact = owners.get(actor);
    const byTrace = exact !== undefined ? ownerLane(exact) : undefined;
    if (byTrace) return byTrace;
    // `a1.c1` (a cancel's sub-request) belongs to request a1, but `s1.run1` to session s1.
    if (!sessions.has(root)) {
      const owner = owners.get(root);
      const lane = owner !== undefined ? ownerLane(owner) : undefined;
      if (lane) return lane;
      // A hand-made report without client.call events: request ids are `<client><n>` (createWorld).
      const client = byLength.find((c) => root.length > c.length && root.startsWith(c) && /^\d+$/.test(root.slice(c.length)));
      if (client !== undefined) return { name: client, kind: "client" };
    }
    return { name: actor, kind: "actor" };
  };
}

/** Session ids the run knows of: declared, scripted (children included) or created in the trace. */
function knownSessions(scenario: Scenario, trace: readonly TraceEvent[]): Set<string> {
  const sessions = new Set<string>(scenario.sessions);
  for (const [session, replies] of Object.entries(scenario.llm)) {
    sessions.add(session);
    for (const reply of replies) {
      if ("toolCalls" in reply) for (const call of reply.toolCalls) if (call.child) sessions.add(call.child.session);
    }
  }
  for (const e of trace) if (e.type === "session.created") sessions.add(e.sessionID);
  return sessions;
}

/** The label after its actor: `"s1.run1 llm"` -> `"llm"`. */
function actionOf(label: string): string {
  const space = label.indexOf(" ");
  return space < 0 ? "" : label.slice(space + 1);
}

/** The scheduler names a second point with a taken label `"<label> (2)"`; classify it as the first. */
function withoutDuplicateSuffix(label: string): string {
  return label.replace(/ \(\d+\)$/, "");
}
