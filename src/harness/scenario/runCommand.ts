import type { SessionRunner } from "../../boundaries/port.ts";
import { REQUEST_HEADER, type SessionPromptResponses } from "../../boundaries/sdk/opencodeTypes.ts";
import { describeSdkError, replyInfo, sdkClient } from "../../boundaries/sdk/sdkClients.ts";
import type { RunFetch } from "../../boundaries/transport/http.ts";
import type { OpencodeApi } from "../../boundaries/sdk/opencodeApi.ts";
import { inProcessClient, type CallTracer } from "../../boundaries/sdk/inProcessClient.ts";
import type { RunObserver } from "../../subjects/observers/RunObserver.ts";
import type { Scenario } from "./schema.ts";
import type { WorldEnv } from "./createWorld.ts";

/** What the run command needs of its world. */
export interface RunCommandWorld {
  readonly env: WorldEnv;
  /** The server's `dispose`, called when the observer returns. */
  dispose(request: string): Promise<void>;
  /** Over HTTP: the run's fetch to the simulated opencode server (a real SDK client goes through it). */
  readonly server?: RunFetch;
  /** In process: the same API, called by racelab's in-process form of the SDK client. */
  readonly api?: OpencodeApi;
  readonly pending: Set<string>;
  /** `process.exit` was called. */
  exit(code: number): void;
}

/**
 * The `run` command: a real SDK client on the run's server, the observer's logic over it, then
 * the instance's dispose. The client's requests are named and traced at the boundary (the
 * observer writes none of it): `run1`, `run2`, ... for its prompts and aborts, `run.sse`,
 * `run.sse2`, ... for its event streams, whose events are scheduling points of that name.
 */
export async function runCommand(run: NonNullable<Scenario["run"]>, observer: RunObserver, world: RunCommandWorld): Promise<void> {
  const { env } = world;
  await env.point(`run: start ${run.session}`);
  world.pending.add("run");
  env.emit({ type: "run.start", sessionID: run.session, observer: observer.name });
  try {
    await observer.run({
      client: world.server ? sdkClient(tracedFetch(world.server, tracer(env)), env.timers, "run.sse") : inProcessClient(world.api!, tracer(env)),
      main: run.session,
      parts: run.parts.map((text) => ({ type: "text", text })),
      timers: env.timers,
      exit: (code) => world.exit(code),
    });
  } catch (error) {
    env.emit({ type: "client.error", request: "run", error: error instanceof Error ? error.message : String(error) });
  }
  env.emit({ type: "run.exit", sessionID: run.session, observer: observer.name });
  await world.dispose("dispose");
  env.emit({ type: "run.disposed" });
  world.pending.delete("run");
}

const ROUTES: readonly { readonly method: string; readonly pattern: RegExp; readonly action: "prompt" | "prompt_async" | "cancel" }[] = [
  { method: "POST", pattern: /^\/session\/([^/]+)\/message$/, action: "prompt" },
  { method: "POST", pattern: /^\/session\/([^/]+)\/prompt_async$/, action: "prompt_async" },
  { method: "POST", pattern: /^\/session\/([^/]+)\/abort$/, action: "cancel" },
];

/** Names the run client's calls and streams, and traces the calls the invariants judge. */
function tracer(env: WorldEnv): CallTracer {
  let calls = 0;
  let streams = 0;
  return {
    stream: () => (++streams === 1 ? "run.sse" : `run.sse${streams}`),
    call(action, sessionID) {
      const request = `run${++calls}`;
      env.emit({ type: "client.call", client: "run", request, action, sessionID });
      return request;
    },
    returned(request, action, sessionID, message) {
      // prompt-gets-own-reply compares the returned reply with the session's messages.
      if (action === "prompt") env.touch?.(`store:${sessionID}`, false);
      env.emit({ type: "client.return", request, ...(message && { message }) });
    },
    failed(request, error) {
      env.emit({ type: "client.error", request, error });
    },
  };
}

/** The run client's fetch: tags each request with its name and traces the calls. */
function tracedFetch(server: RunFetch, calls: CallTracer): RunFetch {
  return async (input, init) => {
    const request = typeof input === "string" ? new Request(input, init) : input;
    const path = new URL(request.url).pathname;
    if (request.method === "GET" && path === "/event") {
      request.headers.set(REQUEST_HEADER, calls.stream());
      return server(request);
    }
    const route = ROUTES.find((r) => r.method === request.method && r.pattern.test(path));
    if (!route) return server(request);
    const sessionID = decodeURIComponent(route.pattern.exec(path)![1]!);
    const name = calls.call(route.action, sessionID);
    request.headers.set(REQUEST_HEADER, name);
    const response = await server(request);
    if (!response.ok) {
      const body = (await response.clone().json().catch(() => undefined)) as unknown;
      calls.failed(name, describeSdkError(`HTTP ${response.status} from ${request.method} ${path}`, body));
      return response;
    }
    const message = route.action === "prompt" && response.status !== 204 ? replyInfo((await response.clone().json()) as SessionPromptResponses[200]) : undefined;
    calls.returned(name, route.action, sessionID, message);
    return response;
  };
}

/** The server API a run command needs of a runner, or a finding that the runner lacks it. */
export type RunApi = Required<Pick<SessionRunner, "subscribe" | "replyPermission" | "dispose">>;
