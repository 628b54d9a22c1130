import { http, HttpResponse, type RequestHandler } from "msw";
import type { SessionRunner } from "../port.ts";
import { SERVER_ORIGIN } from "../transport/origins.ts";
import {
  DIRECTORY,
  REQUEST_HEADER,
  type EventSubscribeData,
  type PermissionReplyData,
  type SessionAbortData,
  type SessionCreateData,
  type SessionPromptAsyncData,
  type SessionPromptData,
  type SessionStatusData,
} from "./opencodeTypes.ts";
import { ApiError, opencodeApi, type PromptBody, type ServerWorld } from "./opencodeApi.ts";

export type { ServerWorld } from "./opencodeApi.ts";

/**
 * An msw route from the SDK's own URL template (`/session/{sessionID}/message`): the template is
 * typed as the SDK types it, so a path the SDK changes fails the type check here.
 */
function route<D extends { readonly url: string }>(url: D["url"]): string {
  return SERVER_ORIGIN + url.replace(/\{(\w+)\}/g, ":$1");
}

const encoder = new TextEncoder();

/**
 * opencode's server API over one runner ({@link opencodeApi}) as msw handlers, with the paths,
 * bodies and answers of `@opencode-ai/sdk` v2: `POST /session`, `POST /session/{id}/message`
 * (the reply; 204 when the runner returned none), `POST /session/{id}/prompt_async` (204 at
 * once), `POST /session/{id}/abort`, `GET /session/status`, `POST /permission/{requestID}/reply`
 * and `GET /event` (SSE of the SDK's `Event`, `server.connected` first, ended cleanly when the
 * instance is disposed). Which client request a call is travels in the {@link REQUEST_HEADER}.
 */
export function opencodeServer(runner: SessionRunner, world: ServerWorld): RequestHandler[] {
  const api = opencodeApi(runner, world);
  let streams = 0;
  const tag = (request: Request, fallback: string) => request.headers.get(REQUEST_HEADER) ?? fallback;
  const failed = (error: unknown) =>
    error instanceof ApiError
      ? HttpResponse.json(error.body, { status: error.status })
      : HttpResponse.json({ name: "UnknownError", data: { message: error instanceof Error ? error.message : String(error) } }, { status: 500 });
  const guarded = (work: () => Promise<Response>) => work().catch(failed);
  return [
    http.post(route<SessionCreateData>("/session"), ({ request }) =>
      guarded(async () => HttpResponse.json(api.create((await request.json().catch(() => ({}))) as NonNullable<SessionCreateData["body"]>))),
    ),
    http.post<{ sessionID: string }>(route<SessionPromptData>("/session/{sessionID}/message"), ({ request, params }) =>
      guarded(async () => {
        const reply = await api.prompt(params.sessionID, (await request.json()) as PromptBody, tag(request, "prompt"));
        return reply ? HttpResponse.json(reply) : new HttpResponse(null, { status: 204 });
      }),
    ),
    http.post<{ sessionID: string }>(route<SessionPromptAsyncData>("/session/{sessionID}/prompt_async"), ({ request, params }) =>
      guarded(async () => {
        api.promptAsync(params.sessionID, (await request.json()) as PromptBody, tag(request, "prompt_async"));
        return new HttpResponse(null, { status: 204 });
      }),
    ),
    http.post<{ sessionID: string }>(route<SessionAbortData>("/session/{sessionID}/abort"), ({ request, params }) =>
      guarded(async () => HttpResponse.json(await api.abort(params.sessionID, tag(request, "abort")))),
    ),
    http.get(route<SessionStatusData>("/session/status"), () => HttpResponse.json(api.status())),
    http.post<{ requestID: string }>(route<PermissionReplyData>("/permission/{requestID}/reply"), ({ request, params }) =>
      guarded(async () => HttpResponse.json(api.reply(params.requestID, (await request.json()) as NonNullable<PermissionReplyData["body"]>))),
    ),
    http.get(route<EventSubscribeData>("/event"), ({ request }) => {
      streams += 1;
      let controller!: ReadableStreamDefaultController<Uint8Array>;
      const body = new ReadableStream<Uint8Array>({
        start(c) {
          controller = c;
        },
      });
      api.subscribe(tag(request, streams === 1 ? "sse" : `sse${streams}`), (event) => {
        if (event) controller.enqueue(encoder.encode(`id: ${event.id}\ndata: ${JSON.stringify(event)}\n\n`));
        else controller.close();
      });
      return new HttpResponse(body, { headers: { "content-type": "text/event-stream", "cache-control": "no-cache", "x-opencode-directory": DIRECTORY } });
    }),
  ];
}
