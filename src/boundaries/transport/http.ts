import { getResponse, http, HttpResponse, type RequestHandler } from "msw";
import {
  Interrupted,
  type BusEvent,
  type BusListener,
  type LlmReply,
  type LlmRequest,
  type PermissionReply,
  type PointOptions,
  type PromptInput,
  type PromptResult,
  type SessionRunner,
  type SessionStatus,
} from "../port.ts";

/** Where the scripted LLM provider and the server API live inside a run (never on the network). */
export const LLM_ORIGIN = "http://llm.racelab.test";
export const SERVER_ORIGIN = "http://server.racelab.test";

/** What the HTTP boundary needs of the world around it. */
export interface HttpWorld {
  point(label: string, options?: PointOptions): Promise<void>;
  /** The scripted reply of one LLM step (the world records the call). */
  reply(request: LlmRequest): LlmReply;
}

/** The fetch of one run: requests go through this run's msw handlers only. */
export type RunFetch = (url: string, init?: RequestInit) => Promise<Response>;

/**
 * The network boundary of one run, on msw: an OpenAI-compatible `/v1/chat/completions`
 * endpoint that streams the scripted reply as SSE chunks (each chunk a scheduling point), and
 * the server API of the runner (`POST /session/:id/message`, `.../prompt_async` (204 at once),
 * `.../abort`, `.../permissions/:permissionID`, `GET /session/status`, `GET /event` (SSE of
 * every bus event, closed on dispose)). Handlers are per run and resolved with msw's
 * `getResponse`, so nothing global is patched and runs can proceed side by side. The msw
 * request path uses microtasks only, so quiescence stays exact. An unhandled request is an
 * error, as with `onUnhandledRequest: "error"`.
 */
export function httpBoundary(runner: SessionRunner, world: HttpWorld): RunFetch {
  const handlers = [...llmHandlers(world), ...serverHandlers(runner)];
  return async (url, init) => {
    const request = new Request(url, init);
    const response = await getResponse(handlers, request);
    if (!response) throw new TypeError(`racelab http: unhandled request ${request.method} ${request.url} (no msw handler matches it)`);
    return response;
  };
}

const encoder = new TextEncoder();
const sse = (data: unknown) => encoder.encode(`data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`);
const SSE_HEADERS = { "content-type": "text/event-stream", "cache-control": "no-cache" };

/** The body of an OpenAI-style chat completion request as racelab's LLM client sends it. */
interface ChatRequest {
  readonly model: string;
  readonly stream: true;
  readonly messages: readonly { readonly role: "user"; readonly name: string; readonly content: readonly string[] }[];
  /** Which step this is: the scripted provider answers per session. */
  readonly metadata: { readonly session: string; readonly run: string; readonly assistant: string };
}

function llmHandlers(world: HttpWorld): RequestHandler[] {
  return [
    http.post(`${LLM_ORIGIN}/v1/chat/completions`, async ({ request }) => {
      const body = (await request.json()) as ChatRequest;
      const reply = world.reply({
        sessionID: body.metadata.session,
        runID: body.metadata.run,
        assistantID: body.metadata.assistant,
        messages: body.messages.map((m) => ({ id: m.name, parts: m.content })),
      });
      if (reply.kind === "error") return HttpResponse.json({ error: { message: reply.message } }, { status: 500 });
      const chunks = toChunks(reply);
      const run = body.metadata.run;
      let i = 0;
      const stream = new ReadableStream<Uint8Array>(
        {
          async pull(controller) {
            // Each chunk is a scheduling point; the step's interrupt aborts the stream.
            try {
              await world.point(`${run} llm chunk ${i + 1}/${chunks.length}`, { signal: request.signal });
            } catch (error) {
              controller.error(error);
              return;
            }
            controller.enqueue(sse(chunks[i]));
            i += 1;
            if (i === chunks.length) {
              controller.enqueue(sse("[DONE]"));
              controller.close();
            }
          },
        },
        { highWaterMark: 0 },
      );
      return new HttpResponse(stream, { headers: SSE_HEADERS });
    }),
  ];
}

/** A reply as OpenAI-style stream chunks: one per word of text or per tool call, then the finish. */
function toChunks(reply: Exclude<LlmReply, { kind: "error" }>): unknown[] {
  if (reply.kind === "text") {
    const words = reply.text.split(/(?<= )/);
    return [
      ...words.map((w) => ({ choices: [{ index: 0, delta: { content: w } }] })),
      { choices: [{ index: 0, delta: {}, finish_reason: "stop" }] },
    ];
  }
  return [
    ...reply.calls.map((call, index) => ({
      choices: [{ index: 0, delta: { tool_calls: [{ index, type: "function", function: { name: call.tool, arguments: JSON.stringify(call) } }] } }],
    })),
    { choices: [{ index: 0, delta: {}, finish_reason: "tool_calls" }] },
  ];
}

/** One LLM step over HTTP: POST the snapshot, read the SSE chunks, assemble the reply. */
export async function fetchLlm(fetch: RunFetch, request: LlmRequest, options?: PointOptions): Promise<LlmReply> {
  const body: ChatRequest = {
    model: "racelab-scripted",
    stream: true,
    messages: request.messages.map((m) => ({ role: "user", name: m.id, content: m.parts })),
    metadata: { session: request.sessionID, run: request.runID, assistant: request.assistantID },
  };
  const label = `${request.runID} llm`;
  try {
    const response = await fetch(`${LLM_ORIGIN}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      ...(options?.signal && { signal: options.signal }),
    });
    if (!response.ok) {
      const error = (await response.json()) as { error?: { message?: string } };
      return { kind: "error", message: error.error?.message ?? `HTTP ${response.status}` };
    }
    let text = "";
    const calls: { tool: string }[] = [];
    let finish = "";
    for await (const data of readSse(response)) {
      if (data === "[DONE]") break;
      const chunk = JSON.parse(data) as {
        choices: { delta: { content?: string; tool_calls?: { function: { arguments: string } }[] }; finish_reason?: string }[];
      };
      const choice = chunk.choices[0]!;
      text += choice.delta.content ?? "";
      for (const call of choice.delta.tool_calls ?? []) calls.push(JSON.parse(call.function.arguments) as { tool: string });
      finish = choice.finish_reason ?? finish;
    }
    return finish === "tool_calls" ? { kind: "tool-calls", calls } : { kind: "text", text };
  } catch (error) {
    if (options?.signal?.aborted || error instanceof Interrupted) throw new Interrupted(label);
    throw error;
  }
}

/** The data lines of an SSE body, one per event, as they arrive. */
async function* readSse(response: Response): AsyncGenerator<string> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = event
        .split("\n")
        .filter((line) => line.startsWith("data: "))
        .map((line) => line.slice(6))
        .join("\n");
      if (data) yield data;
    }
  }
}

/** The body of the prompt endpoints. */
interface PromptBody {
  readonly parts: readonly string[];
  readonly noReply?: boolean;
  readonly messageID?: string;
  /** racelab's correlation tag (names the request's scheduling points). */
  readonly request: string;
}

function serverHandlers(runner: SessionRunner): RequestHandler[] {
  const input = (sessionID: string, body: PromptBody): PromptInput => ({
    sessionID,
    parts: body.parts,
    request: body.request,
    ...(body.noReply !== undefined && { noReply: body.noReply }),
    ...(body.messageID !== undefined && { messageID: body.messageID }),
  });
  const guarded = <T>(work: () => Promise<T>) =>
    work().catch((error: unknown) => HttpResponse.json({ error: error instanceof Error ? error.message : String(error) }, { status: 500 }));
  return [
    http.post<{ id: string }>(`${SERVER_ORIGIN}/session/:id/message`, ({ request, params }) =>
      guarded(async () => HttpResponse.json(await runner.prompt(input(params.id, (await request.json()) as PromptBody)))),
    ),
    http.post<{ id: string }>(`${SERVER_ORIGIN}/session/:id/prompt_async`, ({ request, params }) =>
      guarded(async () => {
        runner.promptAsync(input(params.id, (await request.json()) as PromptBody));
        return new HttpResponse(null, { status: 204 });
      }),
    ),
    http.post<{ id: string }>(`${SERVER_ORIGIN}/session/:id/abort`, ({ request, params }) =>
      guarded(async () => {
        const body = (await request.json()) as { request: string };
        await runner.cancel(params.id, body.request);
        return HttpResponse.json(true);
      }),
    ),
    http.post<{ id: string; permissionID: string }>(`${SERVER_ORIGIN}/session/:id/permissions/:permissionID`, ({ request, params }) =>
      guarded(async () => {
        const body = (await request.json()) as { response: PermissionReply };
        runner.replyPermission?.(params.id, params.permissionID, body.response);
        return HttpResponse.json(true);
      }),
    ),
    http.get(`${SERVER_ORIGIN}/session/status`, () => HttpResponse.json(runner.statuses?.() ?? {})),
    http.get(`${SERVER_ORIGIN}/event`, () => {
      let controller!: ReadableStreamDefaultController<Uint8Array>;
      const stream = new ReadableStream<Uint8Array>({
        start(c) {
          controller = c;
        },
      });
      runner.subscribe?.({
        event: (e) => controller.enqueue(sse(e)),
        close: () => controller.close(),
      });
      return new HttpResponse(stream, { headers: SSE_HEADERS });
    }),
  ];
}

/**
 * The server API as a client reaches it over HTTP: the same calls as {@link SessionRunner},
 * made with fetch through the run's msw handlers. A non-2xx answer throws its error.
 */
export function httpClient(fetch: RunFetch) {
  const post = async (path: string, body: unknown): Promise<Response> => {
    const response = await fetch(`${SERVER_ORIGIN}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    if (!response.ok) {
      const error = (await response.json()) as { error?: string };
      throw new Error(error.error ?? `HTTP ${response.status} from POST ${path}`);
    }
    return response;
  };
  const body = (input: PromptInput): PromptBody => ({
    parts: input.parts,
    request: input.request,
    ...(input.noReply !== undefined && { noReply: input.noReply }),
    ...(input.messageID !== undefined && { messageID: input.messageID }),
  });
  return {
    async prompt(input: PromptInput): Promise<PromptResult> {
      return (await (await post(`/session/${input.sessionID}/message`, body(input))).json()) as PromptResult;
    },
    async promptAsync(input: PromptInput): Promise<void> {
      await post(`/session/${input.sessionID}/prompt_async`, body(input));
    },
    async cancel(sessionID: string, request: string): Promise<void> {
      await post(`/session/${sessionID}/abort`, { request });
    },
    replyPermission(sessionID: string, permissionID: string, reply: PermissionReply): void {
      void post(`/session/${sessionID}/permissions/${permissionID}`, { response: reply });
    },
    async statuses(): Promise<Record<string, SessionStatus>> {
      return (await (await fetch(`${SERVER_ORIGIN}/session/status`)).json()) as Record<string, SessionStatus>;
    },
    /** `GET /event`: events in order as the stream delivers them, then close. */
    subscribe(listener: BusListener): void {
      void (async () => {
        const response = await fetch(`${SERVER_ORIGIN}/event`);
        for await (const data of readSse(response)) listener.event(JSON.parse(data) as BusEvent);
        listener.close();
      })();
    },
  };
}
