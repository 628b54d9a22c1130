import { HarnessError, InputError } from "../errors.ts";
import { DEFAULT_OBSERVER, ObserversMap } from "../../subjects/observers/index.ts";
import type { RunObserver } from "../../subjects/observers/RunObserver.ts";
import type { LlmReply, LlmRequest, PointOptions, PromptInput, PromptResult, RunnerPort, RunnerVariant, SessionRunner, SessionStatus, TaskHandle, Timers } from "../../boundaries/port.ts";
import { fetchLlm, httpBoundary, type RunFetch } from "../../boundaries/transport/http.ts";
import { opencodeApi, type ServerWorld } from "../../boundaries/sdk/opencodeApi.ts";
import { sdkClientApi } from "../../boundaries/sdk/sdkClients.ts";
import { runCommand, type RunApi } from "./runCommand.ts";

export { describeBusEvent } from "../../boundaries/describeBusEvent.ts";
import type { AnyEvent } from "../trace.ts";
import type { Action, Reply, Scenario } from "./schema.ts";
import { malformedEvent } from "./checkEvent.ts";
import { readStatus, type StatusReader } from "./readStatus.ts";

/** What a scheduler provides to a world: points, the clock and timers, and a sink for events. */
export interface WorldEnv {
  point(label: string, options?: PointOptions): Promise<void>;
  /** Synchronous-continuation points (see `RunnerPort.task`), where the scheduler has them. */
  task?(label: string, run: () => void): TaskHandle;
  now(): number;
  readonly timers: Timers;
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
  /** `process.exit` was called: nothing more runs. */
  exited(): boolean;
}

/** How a world is built besides the scenario and the runner. */
export interface WorldOptions {
  /** The `run` command's observer (scenarios with `run`); default `fixed`. */
  readonly observer?: RunObserver;
  /** `http`: the runner is reached through msw (the LLM provider and the server API). Default in-process. */
  readonly transport?: "inproc" | "http";
  /** racelab/effect runners: how finely Effect code is interleaved (see `RunnerPort.granularity`). */
  readonly granularity?: "step" | "suspend";
}

/**
 * Builds the world of one run: the runner under test behind its port, a scripted LLM, and
 * one sequential actor per client. Scheduler-agnostic: racelab's scheduler, fast-check's and
 * the bare one all drive the same world.
 */
export function createWorld(scenario: Scenario, variant: RunnerVariant, env: WorldEnv, options: WorldOptions = {}): World {
  const scripts = new Map<string, Reply[]>(Object.entries(scenario.llm).map(([sid, replies]) => [sid, [...replies]]));
  const pending = new Set<string>();
  let exited = false;

  /** The scripted LLM: the session's next reply ("ok" when the script runs out); records the call. */
  const scriptedReply = (request: LlmRequest): LlmReply => {
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
  };
  let boundary: RunFetch | undefined;
  const instances = scenario.instances ?? 1;
  if (instances > 1 && !variant.instances) {
    throw new InputError(`runner '${variant.name}' does not support several instances over one store (its variant does not declare 'instances'), which scenario '${scenario.name}' needs; use one instance or a runner that does (upstream, pr-21528, fixed)`);
  }
  if (instances > 1 && options.transport === "http") throw new InputError(`scenario '${scenario.name}' has ${instances} instances, which run in process only; drop --transport http`);
  const shared = new Map<string, unknown>();
  /** The port of instance `id` (1-based); instance 1's events go out as they are, the others' carry `instance`. */
  const portOf = (id: number): RunnerPort => ({
    point: (label, options) => env.point(label, options),
    now: () => env.now(),
    timers: env.timers,
    trace: (event) => {
      const wrong = malformedEvent(event);
      if (wrong === undefined) env.emit(id === 1 ? event : { ...event, instance: String(id) });
      // Reported once per event, in place of it: the invariants never see a malformed one.
      else env.emit({ type: "client.error", request: "(trace)", error: `${wrong} (in ${describe(event)})` });
    },
    ...(env.task && { task: env.task }),
    ...(options.granularity && { granularity: options.granularity }),
    ...(env.touch && { touch: env.touch }),
    ...(instances > 1 && {
      instance: {
        id: String(id),
        shared<T>(key: string, make: () => T): T {
          if (!shared.has(key)) shared.set(key, make());
          return shared.get(key) as T;
        },
      },
    }),
    async llm(request, options) {
      await env.point(`${request.runID} llm`, options);
      // Over HTTP the reply streams in chunks, each one more scheduling point.
      return boundary ? fetchLlm(boundary, request, options) : scriptedReply(request);
    },
  });
  const runners = Array.from({ length: instances }, (_, i) => variant.create(portOf(i + 1)));
  const runner = runners[0]!;
  const serverWorld: ServerWorld = { point: (label) => env.point(label), now: () => env.now(), ...(env.touch && { touch: env.touch }) };
  if (options.transport === "http") boundary = httpBoundary(runner, { ...serverWorld, point: env.point, reply: scriptedReply });
  const apis: ClientApi[] = boundary ? [sdkClientApi(boundary, env.timers)] : runners.map(inProcessClient);

  async function perform(client: string, request: string, action: Action, api: ClientApi): Promise<void> {
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
      await api.cancel(action.session, request);
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
      // In process the call returns at once (no await: the step's order stays as it was).
      const accepted = api.promptAsync(input);
      if (accepted) await accepted;
      env.emit({ type: "client.return", request });
      return;
    }
    const result = await api.prompt(input);
    // prompt-gets-own-reply compares the returned reply with the session's messages.
    env.touch?.(`store:${action.session}`, false);
    env.emit({ type: "client.return", request, ...(result.message && { message: result.message }) });
  }

  /** What a client of instance `id` reads the status map through; its reads carry the instance like that instance's events. */
  const readerOf = (id: number): StatusReader => ({
    statuses: runners[id - 1]!.statuses && (() => apis[id - 1]!.statuses()),
    emit: (event) => env.emit(id === 1 ? event : { ...event, instance: String(id) }),
    variant: variant.name,
    ...(env.touch && { touch: env.touch }),
  });

  async function runClient(name: string, actions: readonly Action[], instance: number): Promise<void> {
    const api = apis[instance - 1]!;
    const reader = readerOf(instance);
    for (let i = 0; i < actions.length; i++) {
      const action = actions[i]!;
      const request = `${name}${i + 1}`;
      const { ifStatus } = action;
      if (ifStatus !== undefined) {
        // Check, then act: the read is a point of its own, before the action's point.
        await env.point(`${name}: read ${action.session}`);
        if (!(await attempt(request, () => readStatus(reader, name, request, { ...action, ifStatus })))) continue;
      }
      await env.point(`${name}: ${action.kind} ${action.session}`);
      await attempt(request, () => perform(name, request, action, api));
    }
  }

  /** One call of a client, pending while it runs; a runner that throws is a finding, never a crash of the harness. */
  async function attempt<T>(request: string, work: () => Promise<T>): Promise<T | undefined> {
    pending.add(request);
    try {
      return await work();
    } catch (error) {
      env.emit({ type: "client.error", request, error: error instanceof Error ? error.message : String(error) });
      return undefined;
    } finally {
      pending.delete(request);
    }
  }

  return {
    start() {
      for (const client of scenario.clients) void runClient(client.name, client.actions, client.instance ?? 1);
      if (scenario.run) {
        // A runner without the run API is a finding about that runner, not a harness crash.
        const observer = options.observer ?? ObserversMap[DEFAULT_OBSERVER];
        const start = async () => {
          const server = requireRunApi(runner, variant.name, scenario.name);
          await runCommand(scenario.run!, observer, {
            env,
            ...(boundary ? { server: boundary } : { api: opencodeApi(runner, serverWorld) }),
            dispose: (request) => server.dispose(request),
            pending,
            exit(code) {
              if (exited) return;
              exited = true;
              env.emit({ type: "process.exit", code });
            },
          });
        };
        start().catch((error: unknown) => {
          env.emit({ type: "client.error", request: "run", error: error instanceof Error ? error.message : String(error) });
        });
      }
    },
    pendingCalls: () => [...pending],
    exited: () => exited,
  };
}

/** The server API as clients call it: in process, or over HTTP through the SDK ({@link sdkClientApi}). */
interface ClientApi {
  prompt(input: PromptInput): Promise<PromptResult>;
  /** In process: returns nothing, accepted at once. Over HTTP: resolves on the 204. */
  promptAsync(input: PromptInput): Promise<void> | undefined;
  cancel(sessionID: string, request: string): Promise<void>;
  /** `GET /session/status`: what an `ifStatus` read sees. */
  statuses(): Promise<Record<string, SessionStatus>>;
}

function inProcessClient(runner: SessionRunner): ClientApi {
  return {
    prompt: (input) => runner.prompt(input),
    promptAsync: (input) => {
      runner.promptAsync(input);
      return undefined;
    },
    cancel: (sid, request) => runner.cancel(sid, request),
    statuses: async () => runner.statuses?.() ?? {},
  };
}

function requireRunApi(runner: SessionRunner, variant: string, scenario: string): RunApi {
  const missing = (["subscribe", "replyPermission", "dispose"] as const).filter((m) => typeof runner[m] !== "function");
  if (missing.length > 0) {
    throw new HarnessError(`runner '${variant}' does not implement ${missing.join(", ")}, which scenario '${scenario}' needs for its run command`);
  }
  return runner as SessionRunner & RunApi;
}

function toLlmReply(reply: Reply | undefined): LlmReply {
  if (!reply) return { kind: "text", text: "ok" };
  if ("text" in reply) return { kind: "text", text: reply.text };
  if ("error" in reply) return { kind: "error", message: reply.error };
  return { kind: "tool-calls", calls: reply.toolCalls };
}

/** A value as a short line for an error message. */
function describe(value: unknown): string {
  try {
    const text = JSON.stringify(value) ?? String(value);
    return text.length > 120 ? `${text.slice(0, 117)}...` : text;
  } catch {
    return String(value);
  }
}
