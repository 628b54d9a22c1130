import type { Action, Reply, Scenario } from "../scenario/schema.ts";

/**
 * Smaller scenarios than `scenario`, for delta debugging (Zeller and Hildebrandt, TSE 2002)
 * of a failing one, biggest cuts first:
 * 1. a whole session: its client actions and its script (not the run command's session);
 * 2. client actions, in chunks of half of them, then a quarter, ..., then one at a time (the
 *    last first), so a scenario whose bug needs k of its n actions loses the others in about
 *    k log(n/k) candidates rather than one candidate per action per round;
 * 3. a session's scripted LLM replies, one at a time (the last first): a tool step, a child
 *    task, an error the failure does not need;
 * 4. a tool call of a reply that makes several (a child among plain tools).
 * Every candidate is a valid scenario (a client with no action left is dropped; one client
 * or the run command always remains).
 */
export function* smallerScenarios(scenario: Scenario): Generator<Scenario> {
  yield* withoutOneSession(scenario);
  yield* withoutActionChunks(scenario);
  yield* withoutOneReply(scenario);
  yield* withoutOneToolCall(scenario);
}

/** The scenario with one client action dropped, for each action (the last first). */
export function* withoutOneAction(scenario: Scenario): Generator<Scenario> {
  const n = actionCount(scenario);
  for (let i = n - 1; i >= 0; i--) {
    const candidate = withoutActions(scenario, new Set([i]));
    if (candidate) yield candidate;
  }
}

function* withoutActionChunks(scenario: Scenario): Generator<Scenario> {
  const n = actionCount(scenario);
  for (let size = Math.floor(n / 2); size > 1; size = Math.floor(size / 2)) {
    for (let start = n - size; start >= 0; start -= size) {
      const drop = new Set(Array.from({ length: size }, (_, k) => start + k));
      const candidate = withoutActions(scenario, drop);
      if (candidate) yield candidate;
    }
  }
  yield* withoutOneAction(scenario);
}

function actionCount(scenario: Scenario): number {
  return scenario.clients.reduce((n, c) => n + c.actions.length, 0);
}

/** The scenario without the actions at these positions (counted over all clients in order), or undefined if nothing would run. */
function withoutActions(scenario: Scenario, drop: ReadonlySet<number>): Scenario | undefined {
  let position = 0;
  return keepActions(scenario, () => !drop.has(position++));
}

/** The scenario with only the client actions `keep` keeps (a client left with none is dropped), or undefined if nothing would run. */
function keepActions(scenario: Scenario, keep: (action: Action) => boolean): Scenario | undefined {
  const clients = [];
  for (const client of scenario.clients) {
    const actions = client.actions.filter(keep);
    if (actions.length > 0) clients.push(actions.length === client.actions.length ? client : { ...client, actions });
  }
  if (clients.length === 0 && !scenario.run) return undefined;
  return { ...scenario, clients };
}

function* withoutOneReply(scenario: Scenario): Generator<Scenario> {
  for (const [session, replies] of Object.entries(scenario.llm)) {
    for (let i = replies.length - 1; i >= 0; i--) {
      yield withReplies(scenario, session, replies.filter((_, k) => k !== i));
    }
  }
}

function* withoutOneToolCall(scenario: Scenario): Generator<Scenario> {
  for (const [session, replies] of Object.entries(scenario.llm)) {
    for (let i = 0; i < replies.length; i++) {
      const reply = replies[i]!;
      if (!("toolCalls" in reply) || reply.toolCalls.length < 2) continue;
      for (let c = reply.toolCalls.length - 1; c >= 0; c--) {
        const smaller: Reply = { toolCalls: reply.toolCalls.filter((_, k) => k !== c) };
        yield withReplies(scenario, session, replies.map((r, k) => (k === i ? smaller : r)));
      }
    }
  }
}

function withReplies(scenario: Scenario, session: string, replies: readonly Reply[]): Scenario {
  const llm = { ...scenario.llm };
  if (replies.length > 0) llm[session] = [...replies];
  else delete llm[session];
  return { ...scenario, llm: withoutOrphans(scenario.sessions, llm) };
}

/**
 * The scripts whose session still exists: declared, or created by a task call of a script
 * that is kept itself. A child whose creating call was cut goes with its script, and its own
 * children after it.
 */
function withoutOrphans(sessions: readonly string[], llm: Scenario["llm"]): Scenario["llm"] {
  const kept = new Set(sessions);
  const out: Scenario["llm"] = {};
  for (let grew = true; grew; ) {
    grew = false;
    for (const [session, replies] of Object.entries(llm)) {
      if (!kept.has(session) || session in out) continue;
      out[session] = replies;
      grew = true;
      for (const reply of replies) if ("toolCalls" in reply) for (const call of reply.toolCalls) if (call.child) kept.add(call.child.session);
    }
  }
  return out;
}

/** The scenario without one of its sessions and everything on it, for each session (the last first) with an action on it. */
function* withoutOneSession(scenario: Scenario): Generator<Scenario> {
  if (scenario.sessions.length < 2) return;
  for (let i = scenario.sessions.length - 1; i >= 0; i--) {
    const session = scenario.sessions[i]!;
    if (scenario.run?.session === session) continue;
    if (!scenario.clients.some((c) => c.actions.some((a) => a.session === session))) continue;
    const rest = keepActions(scenario, (a) => a.session !== session);
    if (!rest) continue;
    const sessions = scenario.sessions.filter((s) => s !== session);
    yield { ...rest, sessions, llm: withoutOrphans(sessions, scenario.llm) };
  }
}

/**
 * The scenario with each client-supplied message id that ends in its own client's request
 * name (`msg_00000000b2` for a request of client b) renamed after the request it now is:
 * once actions are dropped, b's requests are numbered again, and `msg_00000000b2 (request b1)`
 * would name a request that no longer exists. Undefined when nothing needs renaming, or when a
 * new name would clash with another id.
 */
export function withIdsOfTheirRequests(scenario: Scenario): Scenario | undefined {
  const taken = new Set(scenario.clients.flatMap((c) => c.actions.flatMap((a) => (a.kind !== "cancel" && a.messageID !== undefined ? [a.messageID] : []))));
  let renamed = false;
  const clients = scenario.clients.map((client) => {
    const actions = client.actions.map((action, i) => {
      if (action.kind === "cancel" || action.messageID === undefined) return action;
      const request = `${client.name}${i + 1}`;
      const own = new RegExp(`^(.*?)${escapeRegExp(client.name)}\\d+$`).exec(action.messageID);
      if (!own) return action;
      const id = `${own[1]}${request}`;
      if (id === action.messageID || taken.has(id)) return action;
      taken.delete(action.messageID);
      taken.add(id);
      renamed = true;
      return { ...action, messageID: id };
    });
    return { ...client, actions };
  });
  return renamed ? { ...scenario, clients } : undefined;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
