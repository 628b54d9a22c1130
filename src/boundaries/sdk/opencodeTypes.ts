/**
 * The parts of opencode's server API that racelab's simulated server speaks, as the real
 * `@opencode-ai/sdk` v2 types them. Every payload the handlers write is checked against these
 * types (with `satisfies`), so an SDK upgrade that changes the API fails the type check.
 */
export type {
  AssistantMessage,
  Event,
  EventSubscribeData,
  OpencodeClient,
  Part,
  PermissionReplyData,
  Session,
  SessionAbortData,
  SessionCreateData,
  SessionPromptAsyncData,
  SessionPromptData,
  SessionPromptResponses,
  SessionStatus as SdkSessionStatus,
  SessionStatusData,
  SessionStatusResponses,
  TextPart,
  TextPartInput,
  ToolPart,
} from "@opencode-ai/sdk/v2/client";

/** The header that carries racelab's correlation tag (which client request a call is) to the server. */
export const REQUEST_HEADER = "x-racelab-request";

/** The instance directory every simulated session lives in. */
export const DIRECTORY = "/racelab";
