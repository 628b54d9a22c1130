import type { LlmReply, PointOptions, RunnerPort, RunnerVariant } from "../port.ts";
import type { AnyEvent } from "../trace.ts";
import type { Action, Reply, Scenario } from "./schema.ts";

/** What a scheduler provides to a world: points, the clock, and a sink for events. */
export interface WorldEnv {
  point(label: string, options?: PointOptions): Promise<void>;
  now(): number;
  emit(event: AnyEvent): void;
  /** Footprint reporting (see `RunnerPort.touch`); absent when nobody listens. */
  touch?(key: string, write: boolean): void;
}

/** A scenario bound to a runner over some scheduler, ready to start. */
export interface World {
  /** Starts every client; each waits on its first scheduling point. */
  start(): void;
  /** Requests of client calls that have not returned yet. */
  pendingCalls(): string[];
}

/**
 * Builds the world of one run: the runner under test behind its port, a scripted LLM, and
 * one sequential actor per client. Scheduler-agnostic: racelab's scheduler, fast-check's and
 * the bare one all drive the same world.
 */
export function createWorld(scenario: Scenario, variant: RunnerVariant, env: WorldEnv): World {
  const scripts = new Map<string, Reply[]>(Object.entries(scenario.llm).map(([sid, replies]) => [sid, [...replies]]));
  const pending = new Set<string>();

  const port: RunnerPort = {
    point: (label, options) => env.point(label, options),
    now: () => env.now(),
    trace: (event) => env.emit(event),
    ...(env.touch && { touch: env.touch }),
    async llm(request, options) {
      await env.point(`${request.runID} llm`, options);
      env.touch?.(`llm:${request.sessionID}`, true);
      const reply = toLlmReply(scripts.get(request.sessionID)?.shift());
      env.emit({
        type: "llm.call",
        sessionID: request.sessionID,
        runID: request.runID,
        assistantID: request.assistantID,
        seen: request.messages.map((m) => ({ id: m.id, parts: m.parts.length })),
        reply: reply.kind,
      });
      return reply;
    },
  };
  const runner = variant.create(port);

  async function perform(client: string, request: string, action: Action): Promise<void> {
    const noReply = action.kind === "cancel" ? undefined : action.noReply;
    env.emit({
      type: "client.call",
      client,
      request,
      action: action.kind,
      sessionID: action.session,
      ...(noReply !== undefined && { noReply }),
    });
    if (action.kind === "cancel") {
      await runner.cancel(action.session, request);
      env.emit({ type: "client.return", request });
      return;
    }
    const input = {
      sessionID: action.session,
      parts: action.parts,
      request,
      ...(action.noReply !== undefined && { noReply: action.noReply }),
      ...(action.messageID !== undefined && { messageID: action.messageID }),
    };
    if (action.kind === "prompt_async") {
      runner.promptAsync(input);
      env.emit({ type: "client.return", request });
      return;
    }
    const result = await runner.prompt(input);
    // prompt-gets-own-reply compares the returned reply with the session's messages.
    env.touch?.(`store:${action.session}`, false);
    env.emit({ type: "client.return", request, ...(result.message && { message: result.message }) });
  }

  async function runClient(name: string, actions: readonly Action[]): Promise<void> {
    for (let i = 0; i < actions.length; i++) {
      const action = actions[i]!;
      const request = `${name}${i + 1}`;
      await env.point(`${name}: ${action.kind} ${action.session}`);
      pending.add(request);
      try {
        await perform(name, request, action);
      } catch (error) {
        // A runner that throws is a finding, never a crash of the harness.
        env.emit({ type: "client.error", request, error: error instanceof Error ? error.message : String(error) });
      }
      pending.delete(request);
    }
  }

  return {
    start() {
      for (const client of scenario.clients) void runClient(client.name, client.actions);
    },
    pendingCalls: () => [...pending],
  };
}

function toLlmReply(reply: Reply | undefined): LlmReply {
  if (!reply) return { kind: "text", text: "ok" };
  if ("text" in reply) return { kind: "text", text: reply.text };
  if ("error" in reply) return { kind: "error", message: reply.error };
  return { kind: "tool-calls", calls: reply.toolCalls };
}
