import { getResponse, http, HttpResponse, type RequestHandler } from "msw";
import { Interrupted, type LlmReply, type LlmRequest, type PointOptions, type SessionRunner } from "../port.ts";

import { opencodeServer, type ServerWorld } from "../sdk/opencodeServer.ts";
import { LLM_ORIGIN } from "./origins.ts";

export { LLM_ORIGIN, SERVER_ORIGIN } from "./origins.ts";

/** What the HTTP boundary needs of the world around it. */
export interface HttpWorld extends ServerWorld {
  point(label: string, options?: PointOptions): Promise<void>;
  /** The scripted reply of one LLM step (the world records the call). */
  reply(request: LlmRequest): LlmReply;
}

/** The fetch of one run: requests go through this run's msw handlers only. */
export type RunFetch = (input: string | Request, init?: RequestInit) => Promise<Response>;

/**
 * The network boundary of one run, on msw: an OpenAI-compatible `/v1/chat/completions`
 * endpoint that streams the scripted reply as SSE chunks (each chunk a scheduling point), and
 * opencode's server API over the runner ({@link opencodeServer}). Handlers are per run and
 * resolved with msw's `getResponse`, so nothing global is patched and runs can proceed side by
 * side. The msw request path uses microtasks only, so quiescence stays exact.
 */
export function httpBoundary(runner: SessionRunner, world: HttpWorld): RunFetch {
  return mswFetch([...llmHandlers(world), ...opencodeServer(runner, world)]);
}

/** A fetch over msw handlers; an unhandled request is an error, as with `onUnhandledRequest: "error"`. */
export function mswFetch(handlers: readonly RequestHandler[]): RunFetch {
  const all = [...handlers];
  return async (input, init) => {
    const request = typeof input === "string" ? new Request(input, init) : input;
    const response = await getResponse(all, request);
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
