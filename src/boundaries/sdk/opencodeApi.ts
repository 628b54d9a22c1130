import type { BusEvent, MessageInfo, PermissionReply, PromptInput, SessionRunner } from "../port.ts";
import {
  DIRECTORY,
  type AssistantMessage,
  type Event,
  type PermissionReplyData,
  type SessionCreateData,
  type SessionPromptAsyncData,
  type SessionPromptData,
  type SessionPromptResponses,
  type SessionStatusResponses,
  type Session,
  type TextPart,
} from "./opencodeTypes.ts";
import { sdkSession, sdkStatus, toSdkEvent } from "./sdkEvents.ts";
import { eventStream, type EventSink } from "./eventStream.ts";

/** What the server needs of the run around it. */
export interface ServerWorld {
  /** A scheduling point: each event of a `GET /event` stream is delivered at its own. */
  point(label: string): Promise<void>;
  now(): number;
  /** Footprints: a stream's queue is shared state of the publisher and the reader. */
  touch?(key: string, write: boolean): void;
}

export type PromptBody = NonNullable<SessionPromptData["body"] | SessionPromptAsyncData["body"]>;

/** A call the API refuses: opencode's error shape, with the HTTP status it answers with. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: { readonly name: string; readonly data: { readonly message: string } },
  ) {
    super(body.data.message);
  }
}

/**
 * opencode's server API over one runner, transport-free: each call takes and returns what the
 * SDK types (`@opencode-ai/sdk` v2), so the msw handlers ({@link opencodeServer}) and the
 * in-process client ({@link inProcessClient}) are one definition. `request` is racelab's
 * correlation tag of the call.
 */
export function opencodeApi(runner: SessionRunner, world: ServerWorld) {
  /** Which session asked each permission: the reply route names the request only. */
  const askedBy = new Map<string, string>();
  let created = 0;
  const input = (sessionID: string, body: PromptBody, request: string): PromptInput => ({
    sessionID,
    parts: body.parts.map((part) => {
      if (part.type !== "text") throw new ApiError(400, { name: "BadRequest", data: { message: `racelab's server takes text parts only, not '${part.type}'` } });
      return part.text;
    }),
    request,
    ...(body.noReply !== undefined && { noReply: body.noReply }),
    ...(body.messageID !== undefined && { messageID: body.messageID }),
  });
  return {
    create(body: NonNullable<SessionCreateData["body"]>): Session {
      created += 1;
      return sdkSession(`ses_${String(created).padStart(4, "0")}`, body.parentID);
    },
    /** The reply, or undefined when the runner returned none (answered as no content). */
    async prompt(sessionID: string, body: PromptBody, request: string): Promise<SessionPromptResponses[200] | undefined> {
      const result = await runner.prompt(input(sessionID, body, request));
      return result.message ? promptReply(result.message, world.now()) : undefined;
    },
    promptAsync(sessionID: string, body: PromptBody, request: string): void {
      runner.promptAsync(input(sessionID, body, request));
    },
    async abort(sessionID: string, request: string): Promise<boolean> {
      await runner.cancel(sessionID, request);
      return true;
    },
    status(): SessionStatusResponses[200] {
      const statuses: SessionStatusResponses[200] = {};
      for (const [sessionID, status] of Object.entries(runner.statuses?.() ?? {})) statuses[sessionID] = sdkStatus(status);
      return statuses;
    },
    reply(requestID: string, body: NonNullable<PermissionReplyData["body"]>): boolean {
      const sessionID = askedBy.get(requestID);
      if (sessionID === undefined) throw new ApiError(404, { name: "NotFoundError", data: { message: `no permission request ${requestID}` } });
      const reply: PermissionReply = body.reply === "reject" ? "reject" : "allow";
      runner.replyPermission?.(sessionID, requestID, reply);
      return true;
    },
    /** `GET /event` for `actor`: `server.connected`, then the bus as SDK events, then the end. */
    subscribe(actor: string, sink: EventSink): void {
      let events = 0;
      const id = () => `evt_${String(++events).padStart(6, "0")}`;
      const stream = eventStream(actor, world, sink);
      stream.send({ id: id(), type: "server.connected", properties: {} } satisfies Event, "server.connected");
      runner.subscribe?.({
        event(e: BusEvent) {
          if (e.type === "permission.asked") askedBy.set(e.permissionID, e.sessionID);
          stream.send(toSdkEvent(e, id(), world.now()), e);
        },
        close: () => stream.end(),
      });
    },
  };
}

export type OpencodeApi = ReturnType<typeof opencodeApi>;

/** A runner's reply as the SDK's `{ info: AssistantMessage, parts }`. */
function promptReply(m: MessageInfo, now: number): SessionPromptResponses[200] {
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
  // A runner may answer with a message that is not an assistant's (a cancelled prompt can return
  // its own user message): the SDK's type cannot say so, but the bytes must, for
  // prompt-gets-own-reply to judge what the runner really returned.
  return { info: m.role === "assistant" ? info : ({ ...info, role: m.role } as unknown as AssistantMessage), parts };
}
