/**
 * Shared helpers of the invariant tests: real explorations over the built-in scenarios and
 * runner variants, a tiny well-behaved runner over the port (the base that each test's
 * deliberately broken runner departs from), and builders for hand-made traces.
 */
import { expect } from "vitest";
import { ScenariosMap, type BuiltinScenario } from "../../../src/harness/scenario/builtin/index.ts";
import { explore, type ExploreResult } from "../../../src/harness/explore/explore.ts";
import { runSchedule, type ScheduleResult } from "../../../src/harness/explore/runSchedule.ts";
import type { Violation } from "../../../src/harness/invariants/Invariant.ts";
import { InvariantsMap, type BuiltinInvariant } from "../../../src/harness/invariants/index.ts";
import type { MessageInfo, PromptInput, PromptResult, RunnerPort, RunnerVariant, SessionRunner } from "../../../src/boundaries/port.ts";
import { RunnersMap, type BuiltinRunner } from "../../../src/subjects/runner/variants/index.ts";
import { defineScenario } from "../../../src/harness/scenario/parseScenario.ts";
import type { Scenario } from "../../../src/harness/scenario/schema.ts";
import { random } from "../../../src/harness/scheduler/strategies/random.ts";
import type { AnyEvent, RunEnd, TraceEvent } from "../../../src/harness/trace.ts";

export const ALL_INVARIANTS = Object.values(InvariantsMap);

// ---------------------------------------------------------------------------------------------
// Real runs

/** Explores a built-in scenario with a built-in runner, checking only `invariant` (so it stops on it). */
export function exploreOne(options: {
  scenario: BuiltinScenario;
  runner: BuiltinRunner | RunnerVariant;
  invariant: BuiltinInvariant;
  seed: number;
  runs: number;
  maxSteps?: number;
}): Promise<ExploreResult> {
  return explore({
    scenario: ScenariosMap[options.scenario],
    runner: typeof options.runner === "string" ? RunnersMap[options.runner] : options.runner,
    strategy: random({ seed: options.seed }),
    invariants: [InvariantsMap[options.invariant]],
    runs: options.runs,
    maxSteps: options.maxSteps ?? 1000,
    keepGoing: false,
    concurrency: 8,
  });
}

/** The first failure of an exploration, asserting there is one and that it is only of `invariant`. */
export function firstFailure(result: ExploreResult, invariant: BuiltinInvariant): { run: number; trace: readonly TraceEvent[]; end: RunEnd; violation: Violation } {
  expect(result.failures.length, `no schedule of ${result.schedulesRun} violated ${invariant}`).toBeGreaterThan(0);
  const failure = result.failures[0]!;
  const names = new Set(failure.violations.map((v) => v.invariant));
  expect([...names]).toEqual([invariant]);
  return { run: failure.run, trace: failure.result.trace, end: failure.result.end, violation: failure.violations[0]! };
}

/** Asserts that an exploration found nothing, showing what it found otherwise. */
export function expectClean(result: ExploreResult, runs: number): void {
  const found = result.failures.flatMap((f) => f.violations.map((v) => `schedule ${f.run}: ${v.invariant}: ${v.message}`));
  expect(found).toEqual([]);
  expect(result.schedulesRun).toBe(runs);
}

/** Runs one schedule of `scenario` with `runner`, drawn from random({ seed }) schedule 0. */
export function runOne(options: {
  scenario: Scenario;
  runner: RunnerVariant;
  invariants: readonly BuiltinInvariant[] | "all";
  seed?: number;
  maxSteps?: number;
}): Promise<ScheduleResult> {
  return runSchedule({
    scenario: options.scenario,
    runner: options.runner,
    invariants: options.invariants === "all" ? ALL_INVARIANTS : options.invariants.map((n) => InvariantsMap[n]),
    chooser: random({ seed: options.seed ?? 1 }).next(0)!,
    maxSteps: options.maxSteps ?? 1000,
  });
}

/** The violations of one invariant. */
export function of(violations: readonly Violation[], invariant: BuiltinInvariant): Violation[] {
  return violations.filter((v) => v.invariant === invariant);
}

/** Describes violations for assertion messages. */
export function describeAll(violations: readonly Violation[]): string {
  return violations.map((v) => `${v.invariant}: ${v.message}`).join("\n");
}

// ---------------------------------------------------------------------------------------------
// A tiny runner over the port

/** One prompt to one session, and two independent sessions prompted by two clients. */
export const toyScenarios = {
  onePrompt: defineScenario({
    name: "toy-one-prompt",
    sessions: ["s1"],
    clients: [{ name: "a", actions: [{ kind: "prompt", session: "s1", parts: ["hello", "world"] }] }],
  }),
  twoSessions: defineScenario({
    name: "toy-two-sessions",
    sessions: ["s1", "s2"],
    clients: [
      { name: "a", actions: [{ kind: "prompt", session: "s1", parts: ["hello"] }] },
      { name: "b", actions: [{ kind: "prompt_async", session: "s2", parts: ["hi"] }] },
    ],
  }),
} as const;

/**
 * A minimal, correct runner for scenarios where no two requests race on one session: each
 * prompt stores its message, runs one LLM step in its own run and answers it, reporting
 * every event the invariants read. `hooks` lets a test break exactly one thing.
 */
export function toyRunner(
  name: string,
  hooks: {
    /** Called where the prompt waits for its run, after `wait.start`; the prompt resumes when it resolves. */
    awaitRun?: (port: RunnerPort, input: PromptInput, runID: string) => Promise<void>;
  } = {},
): RunnerVariant {
  return {
    name,
    description: "a tiny test runner: one run per prompt, no races handled",
    create(port): SessionRunner {
      let runs = 0;
      async function prompt(input: PromptInput): Promise<PromptResult> {
        const { sessionID, request } = input;
        await port.point(`${request} write user`);
        const user: MessageInfo = { id: `u_${request}`, sessionID, role: "user", parts: input.parts.length, request };
        port.trace({ type: "message", message: user });
        if (input.noReply) return { message: user };
        runs += 1;
        const runID = `${sessionID}.toy${runs}`;
        const runner = `${sessionID}/toy${runs}`;
        port.trace({ type: "runners.set", sessionID, runner });
        port.trace({ type: "runner.state", sessionID, runner, state: "running", runID });
        port.trace({ type: "status", sessionID, status: "busy" });
        port.trace({ type: "loop.start", sessionID, runID });
        port.trace({ type: "wait.start", sessionID, waiter: request, runID });
        const work = (async () => {
          const assistantID = `a_${request}`;
          const reply = await port.llm({ sessionID, runID, assistantID, messages: [{ id: user.id, parts: input.parts }] });
          const assistant: MessageInfo = {
            id: assistantID,
            sessionID,
            role: "assistant",
            parentID: user.id,
            parts: 1,
            runID,
            finish: reply.kind === "error" ? "error" : "stop",
          };
          port.trace({ type: "message", message: assistant });
          port.trace({ type: "loop.end", sessionID, runID, outcome: "done" });
          port.trace({ type: "runner.state", sessionID, runner, state: "idle" });
          port.trace({ type: "runners.delete", sessionID, runner });
          port.trace({ type: "status", sessionID, status: "idle" });
          return assistant;
        })();
        if (hooks.awaitRun) await hooks.awaitRun(port, input, runID);
        const assistant = await work;
        port.trace({ type: "wait.end", waiter: request });
        return { message: assistant };
      }
      return {
        prompt,
        promptAsync(input) {
          prompt(input).catch((error: unknown) => port.trace({ type: "session.error", sessionID: input.sessionID, error: String(error) }));
        },
        async cancel(sessionID, request) {
          port.trace({ type: "cancel.start", sessionID, request });
          await port.point(`${request} cancel`);
          port.trace({ type: "cancel.end", sessionID, request });
        },
      };
    },
  };
}

/** The tiny correct runner. */
export const toy = toyRunner("toy");

// ---------------------------------------------------------------------------------------------
// Hand-built traces

/** Stamps an event with its step. */
export function at(step: number, event: AnyEvent): TraceEvent {
  return { ...event, step } as TraceEvent;
}

/** A run end; at rest after `steps` steps unless overridden. */
export function endOf(steps: number, overrides: Partial<RunEnd> = {}): RunEnd {
  return { atRest: true, steps, limitHit: false, maxSteps: 1000, pendingCalls: [], ...overrides };
}

/** A user message written by `request`. */
export function userMsg(id: string, request: string, overrides: Partial<MessageInfo> = {}): MessageInfo {
  return { id, sessionID: "s1", role: "user", parts: 1, request, ...overrides };
}

/** An assistant message of `runID` replying to `parentID` (finished with `stop` unless overridden). */
export function assistantMsg(id: string, parentID: string, runID: string, overrides: Partial<MessageInfo> = {}): MessageInfo {
  return { id, sessionID: "s1", role: "assistant", parentID, parts: 1, runID, finish: "stop", ...overrides };
}
