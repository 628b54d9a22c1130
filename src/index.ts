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
} from "./port.ts";
export { Interrupted, isInterrupted } from "./port.ts";
export { HarnessError, InputError, RacelabError, ReplayDivergence } from "./errors.ts";
export type { AnyEvent, HarnessEvent, RunEnd, TraceEvent } from "./trace.ts";
export type { Invariant, Violation } from "./invariants/Invariant.ts";
export { InvariantsMap, type BuiltinInvariant } from "./invariants/index.ts";
export { RunnersMap, type BuiltinRunner } from "./runner/variants/index.ts";
export { createSessionRunner } from "./runner/createSessionRunner.ts";
export type { RunnerDesign } from "./runner/design.ts";
export { StrategiesMap, type BuiltinStrategy } from "./scheduler/strategies/index.ts";
export type { ScheduleChooser, Strategy, StrategyFactory, StrategyOptions } from "./scheduler/strategies/Strategy.ts";
export { replay } from "./scheduler/strategies/replay.ts";
export { VirtualScheduler, quiescence, type ReadyPoint } from "./scheduler/VirtualScheduler.ts";
export { defineScenario, parseScenario } from "./scenario/parseScenario.ts";
export type { Action, Reply, Scenario, ScenarioInput } from "./scenario/schema.ts";
export { explore, type ExploreOptions, type ExploreResult, type Failure } from "./explore/explore.ts";
export { runSchedule, type ScheduleResult, type ScheduleSpec } from "./explore/runSchedule.ts";
export { replaySchedule, type ReplayOutcome, type ReplayVerdict } from "./explore/replaySchedule.ts";
export { readScheduleFile, writeScheduleFile, SCHEDULE_VERSION, type ScheduleFile } from "./explore/scheduleFile.ts";
export { runWorld, type ForeignScheduler, type ForeignRun } from "./adapters/runWorld.ts";
export { fastCheckScheduler } from "./adapters/fastCheckScheduler.ts";
export { bareScheduler } from "./adapters/bareScheduler.ts";
export { renderTimeline } from "./report/timeline.ts";
export { renderHtml } from "./reporters/html.ts";
export { chromeTrace } from "./reporters/chromeTrace.ts";
export { mermaidSequence } from "./reporters/mermaid.ts";
export { renderJunit, type JunitCase } from "./reporters/junit.ts";
export { writeFailureReports } from "./reporters/writeFailureReports.ts";
export { FailureReportersMap } from "./reporters/index.ts";
export type { FailureReport } from "./reporters/FailureReport.ts";
export { isRunnerPath, loadRunnerModule } from "./runner/loadRunnerModule.ts";
