import type { Event, OpencodeClient } from "./opencodeTypes.ts";
import { ApiError, type OpencodeApi, type PromptBody } from "./opencodeApi.ts";
import type { MessageInfo } from "../port.ts";
import { replyInfo } from "./sdkClients.ts";

/** How a run names and records its client's calls (the harness implements it). */
export interface CallTracer {
  /** The next event stream's name (`run.sse`, `run.sse2`, ...). */
  stream(): string;
  /** A call begins: its request name (`run1`, ...). */
  call(action: "prompt" | "prompt_async" | "cancel", sessionID: string): string;
  returned(request: string, action: "prompt" | "prompt_async" | "cancel", sessionID: string, message?: MessageInfo): void;
  failed(request: string, error: string): void;
}

type Result<T> = Promise<{ data: T | undefined; error: unknown }>;

/**
 * The SDK client's methods a run command uses, in process: the same opencode API
 * ({@link opencodeApi}) with the SDK's result shape (`{ data, error }`), without fetch, msw
 * or SSE bytes, so run scenarios stay fast in process. Over `--transport http` the run gets
 * the real `createOpencodeClient`. A method outside this set throws, saying to use http.
 */
export function inProcessClient(api: OpencodeApi, tracer: CallTracer): OpencodeClient {
  const traced = async <T>(action: "prompt" | "prompt_async" | "cancel", sessionID: string, work: (request: string) => Promise<T>, info?: (value: T) => MessageInfo | undefined): Result<T> => {
    const request = tracer.call(action, sessionID);
    try {
      const data = await work(request);
      tracer.returned(request, action, sessionID, info?.(data));
      return { data, error: undefined };
    } catch (error) {
      const body = error instanceof ApiError ? error.body : { name: "UnknownError", data: { message: error instanceof Error ? error.message : String(error) } };
      tracer.failed(request, body.data.message);
      return { data: undefined, error: body };
    }
  };
  const plain = async <T>(work: () => T | Promise<T>): Result<T> => {
    try {
      return { data: await work(), error: undefined };
    } catch (error) {
      return { data: undefined, error: error instanceof ApiError ? error.body : { name: "UnknownError", data: { message: String(error) } } };
    }
  };
  const body = (p: { parts?: PromptBody["parts"]; noReply?: boolean; messageID?: string }): PromptBody => ({
    parts: p.parts ?? [],
    ...(p.noReply !== undefined && { noReply: p.noReply }),
    ...(p.messageID !== undefined && { messageID: p.messageID }),
  });
  const client = {
    session: {
      create: (p: { parentID?: string } = {}) => plain(() => api.create(p.parentID !== undefined ? { parentID: p.parentID } : {})),
      prompt: (p: { sessionID: string; parts?: PromptBody["parts"]; noReply?: boolean; messageID?: string }) =>
        traced("prompt", p.sessionID, (request) => api.prompt(p.sessionID, body(p), request), replyInfo),
      promptAsync: (p: { sessionID: string; parts?: PromptBody["parts"]; noReply?: boolean; messageID?: string }) =>
        traced("prompt_async", p.sessionID, async (request) => api.promptAsync(p.sessionID, body(p), request)),
      abort: (p: { sessionID: string }) => traced("cancel", p.sessionID, (request) => api.abort(p.sessionID, request)),
      status: () => plain(() => api.status()),
    },
    permission: {
      reply: (p: { requestID: string; reply: "once" | "always" | "reject"; message?: string }) => plain(() => api.reply(p.requestID, { reply: p.reply })),
    },
    event: {
      subscribe: async () => ({ stream: events(api, tracer.stream()) }),
    },
  };
  return guard(client, "client") as unknown as OpencodeClient;
}

/** The stream of one subscription, connected at the first `next()` as the SDK connects. */
async function* events(api: OpencodeApi, actor: string): AsyncGenerator<Event> {
  const queue: (Event | undefined)[] = [];
  let wake: (() => void) | undefined;
  api.subscribe(actor, (event) => {
    queue.push(event);
    wake?.();
  });
  for (;;) {
    while (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
    const next = queue.shift();
    if (next === undefined) return;
    yield next;
  }
}

/** An object whose missing members throw a clear error instead of reading undefined. */
function guard<T extends object>(target: T, path: string): T {
  return new Proxy(target, {
    get(t, key, receiver) {
      if (typeof key === "symbol" || key === "then" || key in t) {
        const value = Reflect.get(t, key, receiver) as unknown;
        return typeof value === "object" && value !== null ? guard(value, `${path}.${String(key)}`) : value;
      }
      throw new TypeError(`${path}.${key} is not available on racelab's in-process client; run with --transport http for the full @opencode-ai/sdk client`);
    },
  });
}
