/**
 * racelab's public API: the runner port, the registries, and the functions the CLI is made
 * of. Everything not exported here is internal.
 */
export type {
  LlmReply,
  LlmRequest,
  MessageInfo,
  PointOptions,
  PromptInput,
  PromptResult,
  RunnerEvent,
  RunnerFactory,
  RunnerPort,
  RunnerVariant,
  SessionRunner,
  SessionStatus,
  ToolCall,
} from "./boundaries/port.ts";
export { Interrupted, isInterrupted } from "./boundaries/port.ts";
export { HarnessError, InputError, RacelabError, ReplayDivergence } from "./harness/errors.ts";
export type { AnyEvent, HarnessEvent, RunEnd, TraceEvent } from "./harness/trace.ts";
export type { Invariant, Violation } from "./harness/invariants/Invariant.ts";
export { InvariantsMap, type BuiltinInvariant } from "./harness/invariants/index.ts";
export { RunnersMap, type BuiltinRunner } from "./subjects/runner/variants/index.ts";
export { createSessionRunner } from "./subjects/runner/createSessionRunner.ts";
export type { RunnerDesign } from "./subjects/runner/design.ts";
export { StrategiesMap, type BuiltinStrategy } from "./harness/scheduler/strategies/index.ts";
export type { ScheduleChooser, Strategy, StrategyFactory, StrategyOptions } from "./harness/scheduler/strategies/Strategy.ts";
export { replay } from "./harness/scheduler/strategies/replay.ts";
export { VirtualScheduler, quiescence, type ReadyPoint } from "./harness/scheduler/VirtualScheduler.ts";
export { defineScenario, parseScenario } from "./harness/scenario/parseScenario.ts";
export { isScenarioPath, loadScenarioFile } from "./harness/scenario/loadScenarioFile.ts";
export type { Action, Reply, Scenario, ScenarioInput } from "./harness/scenario/schema.ts";
export { explore, type ExploreOptions, type ExploreResult, type Failure } from "./harness/explore/explore.ts";
export { runSchedule, type ScheduleResult, type ScheduleSpec } from "./harness/explore/runSchedule.ts";
export { replaySchedule, type ReplayOutcome, type ReplayVerdict } from "./harness/explore/replaySchedule.ts";
export { readScheduleFile, writeScheduleFile, SCHEDULE_VERSION, type ScheduleFile } from "./harness/explore/scheduleFile.ts";
export { runWorld, type ForeignScheduler, type ForeignRun } from "./boundaries/adapters/runWorld.ts";
export { fastCheckScheduler } from "./boundaries/adapters/fastCheckScheduler.ts";
export { bareScheduler } from "./boundaries/adapters/bareScheduler.ts";
export { renderTimeline } from "./harness/report/timeline.ts";
export { renderHtml } from "./harness/reporters/html.ts";
export { chromeTrace } from "./harness/reporters/chromeTrace.ts";
export { mermaidSequence } from "./harness/reporters/mermaid.ts";
export { renderJunit, type JunitCase } from "./harness/reporters/junit.ts";
export { writeFailureReports } from "./harness/reporters/writeFailureReports.ts";
export { FailureReportersMap } from "./harness/reporters/index.ts";
export type { FailureReport } from "./harness/reporters/FailureReport.ts";
export { isRunnerPath, loadRunnerModule } from "./boundaries/loaders/loadRunnerModule.ts";
export { loadObserverModule } from "./boundaries/loaders/loadObserverModule.ts";
export type { ObserverContext, RunObserver } from "./subjects/observers/RunObserver.ts";
export { ObserversMap, type BuiltinObserver } from "./subjects/observers/index.ts";
