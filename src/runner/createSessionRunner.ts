import type { PromptInput, PromptResult, RunnerPort, SessionRunner } from "../port.ts";
import type { RunnerDesign } from "./design.ts";
import { isTerminal, MessageStore, toInfo, type StoredMessage } from "./MessageStore.ts";
import { runLoop } from "./loop.ts";
import { Runner } from "./Runner.ts";
import type { RunnerContext } from "./RunnerContext.ts";
import { StatusBus } from "./StatusBus.ts";

/**
 * The reference session-runner core (sections 1-4 and 6-9 of the reference): prompt,
 * prompt_async and cancel over the runners map, the Runner state machine and the loop.
 * `design` selects the variant's decisions.
 */
export function createSessionRunner(port: RunnerPort, design: RunnerDesign): SessionRunner {
  const runCounters = new Map<string, number>();
  const runnerCounters = new Map<string, number>();
  const bump = (counters: Map<string, number>, key: string) => {
    const n = (counters.get(key) ?? 0) + 1;
    counters.set(key, n);
    return n;
  };
  const store = new MessageStore(port);
  const status = new StatusBus(port);
  const ctx: RunnerContext = {
    port,
    design,
    store,
    status,
    runners: new Map(),
    acceptSeq: 0,
    cancelMarks: new Map(),
    nextRunID: (sid) => `${sid}.run${bump(runCounters, sid)}`,
    nextRunnerID: (sid) => `${sid}/r${bump(runnerCounters, sid)}`,
    runLoop: (sid, run) => runLoop(ctx, sid, run),
    async publishIdle(sid, label) {
      if (!design.truthfulIdle) return status.set(sid, "idle", label);
      await port.point(label);
      port.touch?.(`runners:${sid}`, false);
      if (!ctx.runners.get(sid)?.running) status.publishNow(sid, "idle");
    },
  };

  /** Synchronous get-or-create. */
  function getRunner(sessionID: string): Runner {
    port.touch?.(`runners:${sessionID}`, true);
    let runner = ctx.runners.get(sessionID);
    if (!runner) {
      runner = new Runner(ctx, sessionID, ctx.nextRunnerID(sessionID));
      ctx.runners.set(sessionID, runner);
      port.trace({ type: "runners.set", sessionID, runner: runner.id });
    }
    return runner;
  }

  /** Writes the user message (info, then one write per part), touches the session, runs the loop. */
  async function prompt(input: PromptInput, seq: number): Promise<PromptResult> {
    const { sessionID, request, parts } = input;
    await port.point(`${request} write user info`);
    const user: StoredMessage = store.insert({
      id: input.messageID ?? store.newID(),
      sessionID,
      role: "user",
      parts: [],
      request,
      complete: parts.length === 0,
      acceptSeq: seq,
      ...(input.noReply !== undefined && { noReply: input.noReply }),
    });
    for (let i = 0; i < parts.length; i++) {
      await port.point(`${request} write part ${i + 1}/${parts.length}`);
      store.addPart(user, parts[i]!, i === parts.length - 1);
    }
    await port.point(`${request} touch session`);
    if (input.noReply) return { message: toInfo(user) };
    port.touch?.(`cancel:${sessionID}`, false);
    if (design.cancelWatermark && seq <= (ctx.cancelMarks.get(sessionID) ?? 0)) {
      store.markCancelled(user);
      return { message: toInfo(user) };
    }
    const last = await getRunner(sessionID).ensureRunning(request);
    const reply = design.answerByParent ? (answerOf(user) ?? last) : last;
    return reply ? { message: toInfo(reply) } : {};
  }

  function answerOf(user: StoredMessage): StoredMessage | undefined {
    return store.list(user.sessionID).find((m) => m.role === "assistant" && m.parentID === user.id && isTerminal(m.finish));
  }

  return {
    prompt(input) {
      port.touch?.("accept", true);
      ctx.acceptSeq += 1;
      return prompt(input, ctx.acceptSeq);
    },
    promptAsync(input) {
      port.touch?.("accept", true);
      ctx.acceptSeq += 1;
      // 204 at once; errors are only published.
      prompt(input, ctx.acceptSeq).catch((error: unknown) => {
        port.trace({ type: "session.error", sessionID: input.sessionID, error: String(error) });
      });
    },
    async cancel(sessionID, request) {
      port.trace({ type: "cancel.start", sessionID, request });
      port.touch?.("accept", false);
      port.touch?.(`cancel:${sessionID}`, true);
      port.touch?.(`runners:${sessionID}`, false);
      if (design.cancelWatermark) ctx.cancelMarks.set(sessionID, ctx.acceptSeq);
      const runner = ctx.runners.get(sessionID);
      if (runner?.running) await runner.cancel(request);
      else await ctx.publishIdle(sessionID, `${request} publish idle`);
      port.touch?.(`runners:${sessionID}`, true);
      port.trace({ type: "cancel.end", sessionID, request });
    },
  };
}
