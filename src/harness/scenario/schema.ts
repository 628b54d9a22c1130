import { z } from "zod";

const name = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "use lowercase letters, digits and '-'");
const session = z.string().min(1);

/**
 * Check, then act: the client first reads the session's status (`GET /session/status`, the
 * runner's `statuses()` in process) at a scheduling point of its own (`<client>: read
 * <session>`), and sends the action at a second point only if the read says this status;
 * otherwise the action is skipped. The gap between the two points is the point: what the
 * client read may no longer be true when it acts. The read and its decision are recorded
 * as a `client.read` trace event. A session absent from the status map reads idle.
 */
const ifStatus = z.enum(["idle", "busy", "retry"]).optional();

const promptFields = {
  session,
  /** Parts of the user message; each is written by its own await. */
  parts: z.array(z.string()).min(1, "a prompt needs at least one part"),
  /** Store the message without starting the loop. */
  noReply: z.boolean().optional(),
  /** A client-supplied message id (it may sort below ids the server writes). */
  messageID: z.string().min(1).optional(),
  ifStatus,
};

/**
 * One client action: each becomes a scheduling point of that client (`a: prompt s1`); one
 * with `ifStatus` is two, the read and then the send.
 */
export const ActionSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("prompt"), ...promptFields }).strict(),
  z.object({ kind: z.literal("prompt_async"), ...promptFields }).strict(),
  z.object({ kind: z.literal("cancel"), session, ifStatus }).strict(),
]);

/** A `task` tool call's child session. */
const ChildSchema = z
  .object({
    session,
    parts: z.array(z.string()).min(1, "a child task needs at least one part"),
    /** Absent: the sync task tool. `plugin`: prompt_async child, prompt_async wake-up. `job`: upstream's background job. */
    background: z.enum(["plugin", "job"]).optional(),
  })
  .strict();

const ToolCallSchema = z
  .object({
    tool: z.string().min(1),
    input: z.string().optional(),
    /** Ask permission first; whoever owns the session answers. */
    ask: z.boolean().optional(),
    child: ChildSchema.optional(),
  })
  .strict();

/** One scripted LLM reply. */
export const ReplySchema = z.union(
  [z.object({ text: z.string() }).strict(), z.object({ toolCalls: z.array(ToolCallSchema).min(1) }).strict(), z.object({ error: z.string() }).strict()],
  // zod's own message for a union is "Invalid input": say what the three shapes are.
  { error: 'a reply is one of {"text": "..."}, {"toolCalls": [{"tool": "..."}]} or {"error": "..."}' },
);

/** The `opencode run` command: a sync prompt to the main session, watched by an observer, then dispose. */
export const RunSchema = z.object({ session, parts: z.array(z.string()).min(1) }).strict();

/**
 * A scenario: sessions, scripted LLM replies per session (consumed one per LLM step; when
 * they run out the LLM answers "ok"), clients each running their actions in order, and the
 * invariants to check (default: all).
 */
export const ScenarioSchema = z
  .object({
    name,
    description: z.string().default(""),
    sessions: z.array(session).min(1),
    llm: z.record(z.string(), z.array(ReplySchema)).default({}),
    clients: z
      .array(
        z
          .object({
            name,
            actions: z.array(ActionSchema).min(1),
            /** With `instances`: the server instance this client talks to, 1-based (default 1). */
            instance: z.number().int().min(1).optional(),
          })
          .strict(),
      )
      .default([]),
    run: RunSchema.optional(),
    /**
     * Server instances over one shared store (two opencode servers on one database), each
     * with its own runners map and bus; clients pick one with `instance`. Default 1.
     */
    instances: z.number().int().min(1).max(4).optional(),
    invariants: z.array(z.string()).optional(),
  })
  .strict()
  .refine((s) => s.clients.length > 0 || s.run !== undefined, { message: "a scenario needs at least one client or a run command", path: ["clients"] });

/** A validated scenario (plain data: it travels inside schedule files). */
export type Scenario = z.output<typeof ScenarioSchema>;
/** What a scenario author writes. */
export type ScenarioInput = z.input<typeof ScenarioSchema>;
export type Action = z.output<typeof ActionSchema>;
export type Reply = z.output<typeof ReplySchema>;
