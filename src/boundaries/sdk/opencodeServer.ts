import { http, HttpResponse, type RequestHandler } from "msw";
import type { BusEvent, MessageInfo, PermissionReply, PromptInput, SessionRunner } from "../port.ts";
import { SERVER_ORIGIN } from "../transport/origins.ts";
import {
  DIRECTORY,
  REQUEST_HEADER,
  type AssistantMessage,
  type EventSubscribeData,
  type PermissionReplyData,
  type SessionAbortData,
  type SessionCreateData,
  type SessionStatusData,
  type SessionPromptAsyncData,
  type SessionPromptData,
  type SessionPromptResponses,
  type SessionStatusResponses,
  type TextPart,
} from "./opencodeTypes.ts";
import { sdkSession, sdkStatus, toSdkEvent } from "./sdkEvents.ts";
import { eventStream } from "./eventStream.ts";

/** What the server needs of the run around it. */
export interface ServerWorld {
  /** A scheduling point: each event of a `GET /event` stream is delivered at its own. */
  point(label: string): Promise<void>;
  now(): number;
  /** Footprints: a stream's queue is shared state of the publisher and the reader. */
  touch?(key: string, write: boolean): void;
}

type PromptBody = NonNullable<SessionPromptData["body"] | SessionPromptAsyncData["body"]>;

/**
 * An msw route from the SDK's own URL template (`/session/{sessionID}/message`): the template is
 * typed as the SDK types it, so a path the SDK changes fails the type check here.
 */
function route<D extends { readonly url: string }>(url: D["url"]): string {
  return SERVER_ORIGIN + url.replace(/\{(\w+)\}/g, ":$1");
}

/**
 * opencode's server API over one runner, as msw handlers, with the paths, bodies and answers of
 * `@opencode-ai/sdk` v2: `POST /session`, `POST /session/{id}/message` (the reply),
 * `POST /session/{id}/prompt_async` (204 at once), `POST /session/{id}/abort`,
 * `GET /session/status`, `POST /permission/{requestID}/reply` and `GET /event` (SSE of the SDK's
 * `Event`, `server.connected` first, ended cleanly when the instance is disposed). Which client
 * request a call is travels in the {@link REQUEST_HEADER} header.
 */
export function opencodeServer(runner: SessionRunner, world: ServerWorld): RequestHandler[] {
  /** Which session asked each permission: the reply route names the request only. */
  const askedBy = new Map<string, string>();
  let created = 0;
  let streams = 0;
  const tag = (request: Request, fallback: string) => request.headers.get(REQUEST_HEADER) ?? fallback;
  const input = (sessionID: string, body: PromptBody, request: string): PromptInput => ({
    sessionID,
    parts: body.parts.map((part) => {
      if (part.type !== "text") throw new TypeError(`racelab's server takes text parts only, not '${part.type}'`);
      return part.text;
    }),
    request,
    ...(body.noReply !== undefined && { noReply: body.noReply }),
    ...(body.messageID !== undefined && { messageID: body.messageID }),
  });
  const failed = (error: unknown) => HttpResponse.json({ name: "UnknownError", data: { message: error instanceof Error ? error.message : String(error) } }, { status: 500 });
  const guarded = <T>(work: () => Promise<T>) => work().catch(failed);
  return [
    http.post(route<SessionCreateData>("/session"), ({ request }) =>
      guarded(async () => {
        const body = (await request.json().catch(() => ({}))) as NonNullable<SessionCreateData["body"]>;
        created += 1;
        return HttpResponse.json(sdkSession(`ses_${String(created).padStart(4, "0")}`, body.parentID));
      }),
    ),
    http.post<{ sessionID: string }>(route<SessionPromptData>("/session/{sessionID}/message"), ({ request, params }) =>
      guarded(async () => {
        const result = await runner.prompt(input(params.sessionID, (await request.json()) as PromptBody, tag(request, "prompt")));
        // A runner that returns no reply: no content (the client sees no message).
        if (!result.message) return new HttpResponse(null, { status: 204 });
        return HttpResponse.json(promptReply(result.message, world.now()));
      }),
    ),
    http.post<{ sessionID: string }>(route<SessionPromptAsyncData>("/session/{sessionID}/prompt_async"), ({ request, params }) =>
      guarded(async () => {
        runner.promptAsync(input(params.sessionID, (await request.json()) as PromptBody, tag(request, "prompt_async")));
        return new HttpResponse(null, { status: 204 });
      }),
    ),
    http.post<{ sessionID: string }>(route<SessionAbortData>("/session/{sessionID}/abort"), ({ request, params }) =>
      guarded(async () => {
        await runner.cancel(params.sessionID, tag(request, "abort"));
        return HttpResponse.json(true);
      }),
    ),
    http.get(route<SessionStatusData>("/session/status"), () => {
      const statuses: SessionStatusResponses[200] = {};
      for (const [sessionID, status] of Object.entries(runner.statuses?.() ?? {})) statuses[sessionID] = sdkStatus(status);
      return HttpResponse.json(statuses);
    }),
    http.post<{ requestID: string }>(route<PermissionReplyData>("/permission/{requestID}/reply"), ({ request, params }) =>
      guarded(async () => {
        const body = (await request.json()) as NonNullable<PermissionReplyData["body"]>;
        const sessionID = askedBy.get(params.requestID);
        if (sessionID === undefined) return HttpResponse.json({ name: "NotFoundError", data: { message: `no permission request ${params.requestID}` } }, { status: 404 });
        const reply: PermissionReply = body.reply === "reject" ? "reject" : "allow";
        runner.replyPermission?.(sessionID, params.requestID, reply);
        return HttpResponse.json(true);
      }),
    ),
    http.get(route<EventSubscribeData>("/event"), ({ request }) => {
      streams += 1;
      const actor = tag(request, streams === 1 ? "sse" : `sse${streams}`);
      let events = 0;
      const id = () => `evt_${String(++events).padStart(6, "0")}`;
      const stream = eventStream(actor, world);
      stream.send({ id: id(), type: "server.connected", properties: {} }, "server.connected");
      runner.subscribe?.({
        event(e: BusEvent) {
          if (e.type === "permission.asked") askedBy.set(e.permissionID, e.sessionID);
          stream.send(toSdkEvent(e, id(), world.now()), e);
        },
        close: () => stream.end(),
      });
      return new HttpResponse(stream.body, { headers: { "content-type": "text/event-stream", "cache-control": "no-cache", "x-opencode-directory": DIRECTORY } });
    }),
  ];
}

/** A runner's reply as the SDK's `{ info: AssistantMessage, parts }`. */
function promptReply(m: MessageInfo, now: number): SessionPromptResponses[200] {
  if (m.role !== "assistant") throw new TypeError(`the runner replied with ${m.role} message ${m.id}, not an assistant message`);
  const info: AssistantMessage = {
    id: m.id,
    sessionID: m.sessionID,
    role: "assistant",
    time: { created: now, ...(m.finish !== undefined && { completed: now }) },
    parentID: m.parentID ?? "",
    modelID: "racelab-scripted",
    providerID: "racelab",
    mode: "build",
    agent: "build",
    path: { cwd: DIRECTORY, root: DIRECTORY },
    cost: 0,
    tokens: { input: 0, output: 0, reasoning: 0, cache: { read: 0, write: 0 } },
    ...(m.finish !== undefined && { finish: m.finish }),
  };
  const parts = Array.from({ length: m.parts }, (_, i): TextPart => ({ id: `${m.id}_part${i + 1}`, sessionID: m.sessionID, messageID: m.id, type: "text", text: "" }));
  return { info, parts };
}
