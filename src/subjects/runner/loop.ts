import { isInterrupted } from "../../boundaries/port.ts";
import { runTool } from "./children.ts";
import { cleanupTools, executeTool, RunningTool } from "./toolCalls.ts";
import type { StoredMessage } from "./MessageStore.ts";
import type { Run } from "./Runner.ts";
import type { RunnerContext } from "./RunnerContext.ts";
import { hasNewerUser, oldestUnanswered, upstreamTarget } from "./workTest.ts";

/** Why a step ended: `stop` ends the loop, `continue` re-reads and goes round again. */
type StepResult = "stop" | "continue";

/**
 * The session loop of docs/design.md §3: publish busy, read the snapshot, decide whether there is
 * work, write an assistant, run one LLM step; after the loop, fork a prune and read the last
 * assistant again. Every await is a scheduling point; every point of the run is interruptible.
 */
export async function runLoop(ctx: RunnerContext, sessionID: string, run: Run): Promise<StoredMessage | undefined> {
  const signal = run.abort.signal;
  const { port, store } = ctx;
  for (;;) {
    await ctx.status.set(sessionID, "busy", `${run.id} publish busy`, { signal });
    const snapshot = store.list(sessionID);
    const target = ctx.design.answerByParent ? fixedTarget(ctx, snapshot) : upstreamTarget(snapshot);
    if (!target) break;
    await port.point(`${run.id} write assistant`, { signal });
    const assistant = store.insert({
      id: store.newID(),
      sessionID,
      role: "assistant",
      parentID: target.id,
      parts: [],
      runID: run.id,
      complete: true,
    });
    const result = await llmStep(ctx, sessionID, run, assistant, snapshot);
    if (result === "stop") {
      // Fixed design: the work test at the top decides, by parent link, whether to go on.
      if (ctx.design.answerByParent) continue;
      // PR #21528: re-read before break and go on if a newer user message has arrived.
      if (ctx.design.recheckBeforeBreak && hasNewerUser(store.list(sessionID), assistant)) continue;
      break;
    }
  }
  await port.point(`${run.id} fork prune`, { signal });
  void prune(ctx, run);
  await port.point(`${run.id} read last assistant`, { signal });
  return store.lastAssistant(sessionID);
}

/** The fixed design's work test over this runner's cancel marks (see {@link oldestUnanswered}). */
function fixedTarget(ctx: RunnerContext, snapshot: readonly StoredMessage[]): StoredMessage | undefined {
  const sessionID = snapshot[0]?.sessionID ?? "";
  ctx.port.touch?.(`cancel:${sessionID}`, false);
  const cancelMark = ctx.design.cancelWatermark ? (ctx.cancelMarks.get(sessionID) ?? 0) : undefined;
  return oldestUnanswered(snapshot, { completeMessagesOnly: ctx.design.completeMessagesOnly, cancelMark });
}

/**
 * One LLM step. Text and tool calls are written part by part (a tool part `running` when its
 * call starts, then `completed` or `error`); on an LLM error or an interrupt the `halt` path
 * publishes idle (upstream: while the runner is still Running), then a cleanup errors the tool
 * calls still executing (after waiting up to 250 ms for them, see toolCalls.ts) and finishes
 * the message.
 */
async function llmStep(
  ctx: RunnerContext,
  sessionID: string,
  run: Run,
  assistant: StoredMessage,
  snapshot: readonly StoredMessage[],
): Promise<StepResult> {
  const signal = run.abort.signal;
  const { port, store } = ctx;
  const tools: RunningTool[] = [];
  try {
    const reply = await port.llm(
      {
        sessionID,
        runID: run.id,
        assistantID: assistant.id,
        messages: snapshot
          .filter((m) => m.role === "user" && (m.complete || !ctx.design.completeMessagesOnly))
          .map((m) => ({ id: m.id, parts: [...m.parts] })),
      },
      { signal },
    );
    if (reply.kind === "error") throw new LlmFailure(reply.message);
    if (reply.kind === "text") {
      await port.point(`${run.id} write text`, { signal });
      store.addPart(assistant, reply.text);
    } else {
      for (let i = 0; i < reply.calls.length; i++) {
        const call = reply.calls[i]!;
        await port.point(`${run.id} tool ${call.tool}`, { signal });
        const tool = new RunningTool(ctx, assistant, i + 1, call.tool, run);
        tools.push(tool);
        tool.settle(await executeTool(tool, signal, runTool(ctx, sessionID, run, call, `perm_${assistant.id}_${i + 1}`)));
      }
    }
    await port.point(`${run.id} finish assistant`, { signal });
    store.setFinish(assistant, reply.kind === "text" ? "stop" : "tool-calls");
    return reply.kind === "text" ? "stop" : "continue";
  } catch (error) {
    const interrupted = isInterrupted(error);
    if (!interrupted && !(error instanceof LlmFailure)) throw error;
    if (!ctx.design.truthfulIdle) await ctx.status.set(sessionID, "idle", `${run.id} halt publish idle`);
    await cleanupTools(ctx, run, tools);
    await port.point(`${run.id} halt cleanup`);
    store.setFinish(assistant, interrupted ? "aborted" : "error");
    if (interrupted) throw error;
    port.trace({ type: "session.error", sessionID, error: (error as Error).message });
    return "stop";
  }
}

/** The detached prune fiber forked after the loop; it touches nothing the model checks. */
async function prune(ctx: RunnerContext, run: Run): Promise<void> {
  await ctx.port.point(`${run.id}.prune prune`);
}

class LlmFailure extends Error {
  override name = "LlmFailure";
}
