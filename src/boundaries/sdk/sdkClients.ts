import type { MessageInfo, PromptInput, PromptResult, SessionStatus, Timers } from "../port.ts";
import { SERVER_ORIGIN } from "../transport/origins.ts";
import type { RunFetch } from "../transport/http.ts";
import { REQUEST_HEADER, type OpencodeClient, type SessionPromptResponses } from "./opencodeTypes.ts";

type SdkModule = typeof import("@opencode-ai/sdk/v2/client");
let sdk: SdkModule | undefined;
let loading: Promise<void> | undefined;

/**
 * Loads the SDK (ESM only) with a dynamic import, before any run that needs it: a static import
 * would break racelab in a CommonJS project whose TypeScript modules tsx compiles to `require`
 * (the SDK's package exports have no `require` condition). Awaited outside the controlled part
 * of a run, so loading never interleaves with a schedule.
 */
export function loadSdk(): Promise<void> {
  loading ??= import("@opencode-ai/sdk/v2/client").then((m) => {
    sdk = m;
  });
  return loading;
}

/**
 * A real SDK client of the run's simulated server: `fetch` is the run's msw boundary, and the
 * SDK's SSE reconnect sleep (3 s, doubling, at most 30 s, as the SDK does after a stream error)
 * is a labelled timer on the run's virtual clock, so a reconnect is a scheduling point like
 * any other timer and never real time.
 */
export function sdkClient(fetch: RunFetch, timers: Timers, label = "sse"): OpencodeClient {
  const sseSleepFn = (ms: number) => new Promise<void>((resolve) => timers.setTimeout(`${label} reconnect`, ms, resolve));
  // `sseSleepFn` is honoured by the SDK's SSE client but missing from its config type.
  if (!sdk) throw new Error("racelab: the SDK client was asked for before loadSdk() finished (a bug in racelab, please report it)");
  return sdk.createOpencodeClient({ baseUrl: SERVER_ORIGIN, fetch: (input: string | URL | Request, init?: RequestInit) => fetch(input instanceof URL ? input.href : input, init), ...({ sseSleepFn } as object) });
}

/** The reply of `POST /session/{id}/message` as the runner's {@link MessageInfo}; nothing for no content. */
export function replyInfo(data: SessionPromptResponses[200] | undefined | null): MessageInfo | undefined {
  if (!data || typeof data !== "object" || !("info" in data)) return undefined;
  const { info, parts } = data;
  return {
    id: info.id,
    sessionID: info.sessionID,
    role: info.role,
    ...(info.parentID !== "" && { parentID: info.parentID }),
    ...(info.finish !== undefined && { finish: info.finish }),
    parts: parts.length,
  };
}

/** The calls a scenario's client makes, over the SDK: each carries its request's tag. */
export function sdkClientApi(fetch: RunFetch, timers: Timers) {
  const client = sdkClient(fetch, timers, "client.sse");
  const tagged = (request: string) => ({ headers: { [REQUEST_HEADER]: request } });
  const failure = (what: string, error: unknown) => new Error(describeSdkError(what, error));
  const body = (input: PromptInput) => ({
    sessionID: input.sessionID,
    parts: input.parts.map((text) => ({ type: "text" as const, text })),
    ...(input.noReply !== undefined && { noReply: input.noReply }),
    ...(input.messageID !== undefined && { messageID: input.messageID }),
  });
  return {
    async prompt(input: PromptInput): Promise<PromptResult> {
      const r = await client.session.prompt(body(input), tagged(input.request));
      if (r.error !== undefined) throw failure(`POST /session/${input.sessionID}/message`, r.error);
      const message = replyInfo(r.data);
      return message ? { message } : {};
    },
    async promptAsync(input: PromptInput): Promise<void> {
      const r = await client.session.promptAsync(body(input), tagged(input.request));
      if (r.error !== undefined) throw failure(`POST /session/${input.sessionID}/prompt_async`, r.error);
    },
    async cancel(sessionID: string, request: string): Promise<void> {
      const r = await client.session.abort({ sessionID }, tagged(request));
      if (r.error !== undefined) throw failure(`POST /session/${sessionID}/abort`, r.error);
    },
    async statuses(): Promise<Record<string, SessionStatus>> {
      const r = await client.session.status();
      if (r.error !== undefined || !r.data) throw failure("GET /session/status", r.error);
      return Object.fromEntries(Object.entries(r.data).map(([sessionID, status]) => [sessionID, status.type]));
    },
  };
}

/** An SDK error (opencode's `{ name, data: { message } }`, or whatever came) as one line. */
export function describeSdkError(what: string, error: unknown): string {
  const message = (error as { data?: { message?: unknown } } | undefined)?.data?.message;
  if (typeof message === "string") return message;
  if (error instanceof Error) return error.message;
  return error === undefined ? what : `${what}: ${JSON.stringify(error) ?? String(error)}`;
}
