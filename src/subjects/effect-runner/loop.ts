import { Effect } from "effect";
import { llm } from "../../boundaries/effect/RacelabPort.ts";
import type { RacelabPort } from "../../boundaries/effect/RacelabPort.ts";
import type { StoredMessage } from "../runner/MessageStore.ts";
import { hasNewerUser, oldestUnanswered, upstreamTarget } from "../runner/workTest.ts";
import { runTool } from "./children.ts";
import { abortTools, cleanupTools, EffectToolCall } from "./toolCalls.ts";
import type { Instance } from "./Instance.ts";

/** Why a step ended: `stop` leaves the loop, `continue` re-reads and goes round again. */
type StepResult = "stop" | "continue";

/** The LLM answered with an error: the step halts (docs/design.md §3, step 5). */
class LlmFailure {
  readonly _tag = "LlmFailure";
  constructor(readonly message: string) {}
}

/**
 * The session loop of docs/design.md §3, in Effect: publish busy, take a snapshot, decide
 * whether there is work, write an assistant, run one LLM step; after the loop, fork a prune
 * and read the last assistant again. Each effect is a step racelab can interleave.
 */
export const runLoop = (inst: Instance, sessionID: string, runID: string, startSeq: number): Effect.Effect<StoredMessage | undefined, never, RacelabPort> =>
  Effect.gen(function* () {
    const { store, design } = inst;
    for (;;) {
      yield* Effect.sync(() => inst.status.publishNow(sessionID, "busy"));
      const snapshot = yield* Effect.sync(() => store.list(sessionID));
      // Fixed design: a cancel arrives in one step but reaches the runner's lock later. A run it
      // covers (started before it) takes no new work meanwhile; if a prompt accepted after the
      // cancel joined it, the restart answers that prompt.
      if (design.cancelWatermark && (inst.cancelMarks.get(sessionID) ?? 0) >= startSeq) break;
      const target = design.answerByParent ? fixedTarget(inst, sessionID, snapshot) : upstreamTarget(snapshot);
      if (!target) break;
      const assistant = yield* Effect.sync(() =>
        store.insert({ id: store.newID(), sessionID, role: "assistant", parentID: target.id, parts: [], runID, complete: true }),
      );
      const result = yield* llmStep(inst, sessionID, runID, assistant, snapshot);
      if (result === "stop") {
        // Fixed design: the work test at the top decides, by parent link, whether to go on.
        if (design.answerByParent) continue;
        // PR #21528: re-read before break and go on if a newer user message has arrived.
        if (design.recheckBeforeBreak && hasNewerUser(yield* Effect.sync(() => store.list(sessionID)), assistant)) continue;
        break;
      }
    }
    // The detached prune touches nothing the invariants check; it is one more fiber to interleave.
    yield* inst.fork(`${runID}.prune`, Effect.void);
    return yield* Effect.sync(() => store.lastAssistant(sessionID));
  });

function fixedTarget(inst: Instance, sessionID: string, snapshot: readonly StoredMessage[]): StoredMessage | undefined {
  const cancelMark = inst.design.cancelWatermark ? (inst.cancelMarks.get(sessionID) ?? 0) : undefined;
  return oldestUnanswered(snapshot, { completeMessagesOnly: inst.design.completeMessagesOnly, cancelMark });
}

/**
 * One LLM step. Text and tool calls are written part by part (a tool part `running` when its
 * call starts, then `completed` or `error`). On an LLM error or an interrupt the `halt` path
 * publishes idle (upstream: while the runner is still Running), then a cleanup errors the tool
 * calls still executing (after waiting up to 250 ms, toolCalls.ts) and finishes the message;
 * an interrupt then goes on ending the run.
 */
const llmStep = (
  inst: Instance,
  sessionID: string,
  runID: string,
  assistant: StoredMessage,
  snapshot: readonly StoredMessage[],
): Effect.Effect<StepResult, never, RacelabPort> => {
  const { store, design } = inst;
  const tools: EffectToolCall[] = [];
  const halt = (finish: "aborted" | "error") =>
    Effect.gen(function* () {
      yield* abortTools(tools);
      if (!design.truthfulIdle) yield* Effect.sync(() => inst.status.publishNow(sessionID, "idle"));
      yield* cleanupTools(tools);
      yield* Effect.sync(() => store.setFinish(assistant, finish));
    });
  const step = Effect.gen(function* () {
    const messages = snapshot
      .filter((m) => m.role === "user" && (m.complete || !design.completeMessagesOnly))
      .map((m) => ({ id: m.id, parts: [...m.parts] }));
    const reply = yield* llm({ sessionID, runID, assistantID: assistant.id, messages });
    if (reply.kind === "error") return yield* Effect.fail(new LlmFailure(reply.message));
    if (reply.kind === "text") {
      yield* Effect.sync(() => store.addPart(assistant, reply.text));
    } else {
      for (let i = 0; i < reply.calls.length; i++) {
        const call = reply.calls[i]!;
        // The part is written `running` in the step that reaches the call, not in a step of its own.
        const tool = new EffectToolCall(inst, assistant, i + 1, call.tool, runID);
        tools.push(tool);
        const syncTask = call.child !== undefined && !call.child.background;
        const outcome = yield* tool.run((completeLate) => runTool(inst, sessionID, call, `perm_${assistant.id}_${i + 1}`, completeLate), syncTask);
        yield* Effect.sync(() => tool.settle(outcome));
      }
    }
    yield* Effect.sync(() => store.setFinish(assistant, reply.kind === "text" ? "stop" : "tool-calls"));
    return (reply.kind === "text" ? "stop" : "continue") as StepResult;
  });
  return step.pipe(
    Effect.onInterrupt(() => halt("aborted")),
    Effect.catch((failure: LlmFailure) =>
      Effect.gen(function* () {
        yield* halt("error");
        yield* Effect.sync(() => inst.port.trace({ type: "session.error", sessionID, error: failure.message }));
        return "stop" as StepResult;
      }),
    ),
  );
};
