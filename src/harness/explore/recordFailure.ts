import { relative } from "node:path";
import type { Invariant } from "../invariants/Invariant.ts";
import type { RunnerVariant } from "../../boundaries/port.ts";
import type { FailureReport } from "../reporters/FailureReport.ts";
import { writeFailureReports } from "../reporters/writeFailureReports.ts";
import type { WorldOptions } from "../scenario/createWorld.ts";
import type { Scenario } from "../scenario/schema.ts";
import { recordedViolations, SCHEDULE_VERSION, writeScheduleFile, type ScheduleFile } from "./scheduleFile.ts";
import type { ScheduleResult } from "./runSchedule.ts";
import { NotFailing, SHRINKING, shrinkFailure, type ShrunkFailure } from "./shrink.ts";
import { didNotRepeat, runAgainStrictly } from "./selfCheck.ts";
import { runSeed } from "../scheduler/strategies/random.ts";
import type { FlightRecorder } from "../sandbox/flightRecorder.ts";

/** A failing schedule to shrink and write out. */
export interface RecordFailureInput {
  readonly scenario: Scenario;
  readonly runner: RunnerVariant;
  readonly invariants: readonly Invariant[];
  readonly world: WorldOptions;
  readonly strategy: string;
  readonly seed: number;
  /** 0-based schedule number within its exploration. */
  readonly run: number;
  readonly maxSteps: number;
  /** The failing run as found. */
  readonly found: ScheduleResult;
  /** Where the schedule file, the HTML page and the Chrome trace go. */
  readonly out: string;
  /** Shrink before writing (default on); numbers bound the shrinker's runs. */
  readonly shrink?: boolean | { readonly budget: number; readonly searchBudget: number };
  /** In a sandbox: the flight recorder the shrinker's runs keep fed. */
  readonly recorder?: FlightRecorder;
  /** Seed of the failing run's virtualised randomness (default: from seed and run, as explore seeds it). */
  readonly randomSeed?: number;
  /**
   * Asked with the run about to be written (shrunk, or as found): false drops it unwritten
   * (`--keep-going` keeps one failure per invariant set as it is after shrinking).
   */
  readonly keep?: (run: ScheduleResult) => boolean;
}

/** A failure as written: the files, and the run they hold. */
export interface RecordedFailure {
  /** The schedule file, relative to the working directory when inside it. */
  readonly file: string;
  readonly schedule: ScheduleFile;
  /** The run the file holds: the shrunk one, or the one found. */
  readonly run: ScheduleResult;
  readonly shrunk?: ShrunkFailure;
  readonly report: FailureReport;
  /** The self-contained HTML page and the Chrome trace-event JSON. */
  readonly html: string;
  readonly trace: string;
  /** The command that reproduces it. */
  readonly replay: string;
}

/**
 * Shrinks a failure on its first invariant (unless told not to), writes its schedule file,
 * then its HTML swimlane page and Chrome trace next to it (same name, other extensions).
 */
export async function recordFailure(input: RecordFailureInput): Promise<RecordedFailure | undefined> {
  const randomSeed = input.randomSeed ?? runSeed(input.seed, input.run);
  // The determinism self-check: a failure is run once more, strictly, before it is reported.
  // A run that does not repeat is a nondeterminism finding, written as found, never shrunk.
  const spec = {
    scenario: input.scenario,
    runner: input.runner,
    invariants: input.invariants,
    maxSteps: input.maxSteps,
    world: input.world,
    randomSeed,
    ...(input.recorder && { record: { recorder: input.recorder, slot: 0, schedule: SHRINKING } }),
  };
  const differs = await runAgainStrictly(spec, input.found, "the failing schedule");
  if (differs) {
    const found = { ...input.found, violations: [differs, ...input.found.violations] };
    if (input.keep && !input.keep(found)) return undefined;
    return writeFailure({ ...writeBase(input, randomSeed), result: found });
  }
  const primary = input.found.violations[0]!.invariant;
  const shrinkOption = input.shrink ?? true;
  const shrunk = shrinkOption
    ? await shrinkFailure({
        scenario: input.scenario,
        runner: input.runner,
        invariants: input.invariants,
        primary,
        maxSteps: input.maxSteps,
        choices: input.found.choices,
        world: input.world,
        ...(typeof shrinkOption === "object" && { budget: shrinkOption.budget, searchBudget: shrinkOption.searchBudget }),
        ...(input.recorder && { recorder: input.recorder }),
        randomSeed,
      }).catch((error: unknown) => {
        // The shrinker's own first run did not fail: the code is not deterministic after all.
        if (!(error instanceof NotFailing)) throw error;
        return error;
      })
    : undefined;
  if (shrunk instanceof NotFailing) {
    const found = { ...input.found, violations: [didNotRepeat(primary, "the failing schedule", input.found.end.steps), ...input.found.violations] };
    if (input.keep && !input.keep(found)) return undefined;
    return writeFailure({ ...writeBase(input, randomSeed), result: found });
  }
  const result = shrunk?.full ?? input.found;
  if (input.keep && !input.keep(result)) return undefined;
  return writeFailure({
    ...writeBase(input, randomSeed),
    scenario: shrunk?.scenario ?? input.scenario,
    result,
    ...(shrunk && { shrunk }),
  });
}

/** What a recorded failure's file says about where it came from. */
function writeBase(input: RecordFailureInput, randomSeed: number) {
  return {
    scenario: input.scenario,
    runner: input.runner.name,
    world: recordedWorld({ ...input.world, observer: input.world.observer?.name }),
    strategy: input.strategy,
    seed: input.seed,
    run: input.run,
    maxSteps: input.maxSteps,
    out: input.out,
    // Recorded only when it is not what the seed and the run give (fuzz seeds per scenario).
    ...(randomSeed !== runSeed(input.seed, input.run) && { randomSeed }),
  };
}

/** The world's fields as schedule files record them: only what differs from the defaults (no observer, inproc, step). */
function recordedWorld(world: { readonly observer?: string | undefined; readonly transport?: "inproc" | "http" | undefined; readonly granularity?: "step" | "suspend" | undefined }): WriteFailureInput["world"] {
  return {
    ...(world.observer && { observer: world.observer }),
    ...(world.transport === "http" && { transport: "http" as const }),
    ...(world.granularity === "suspend" && { granularity: "suspend" as const }),
  };
}

/** A failing run to write out as it is (already shrunk, or not to be). */
export interface WriteFailureInput {
  readonly scenario: Scenario;
  /** The runner as schedule files name it: a built-in name or a module path. */
  readonly runner: string;
  readonly world: { readonly observer?: string; readonly transport?: "inproc" | "http"; readonly granularity?: "step" | "suspend" };
  readonly strategy: string;
  readonly seed: number;
  readonly run: number;
  readonly maxSteps: number;
  readonly result: ScheduleResult;
  readonly out: string;
  readonly shrunk?: ShrunkFailure;
  /** Sizes to record when the run was shrunk another way (a fault's client actions). */
  readonly shrinkInfo?: ScheduleFile["shrink"];
  /** When the run's randomness was not seeded from (seed, run). */
  readonly randomSeed?: number;
}

/** Writes a failing run's schedule file, then its HTML swimlane page and Chrome trace beside it. */
export function writeFailure(input: WriteFailureInput): RecordedFailure {
  const run = input.result;
  const { shrunk } = input;
  const shrinkInfo = shrunk ? { original: shrunk.original, shrunk: shrunk.shrunk, attempts: shrunk.attempts } : input.shrinkInfo;
  const schedule: ScheduleFile = {
    version: SCHEDULE_VERSION,
    kind: "racelab-schedule",
    scenario: input.scenario,
    runner: input.runner,
    ...recordedWorld(input.world),
    strategy: input.strategy,
    seed: input.seed,
    run: input.run,
    maxSteps: input.maxSteps,
    ...(input.randomSeed !== undefined && { randomSeed: input.randomSeed }),
    choices: run.choices,
    violations: recordedViolations(run.violations),
    ...(shrinkInfo && { shrink: shrinkInfo }),
  };
  const path = writeScheduleFile(input.out, schedule);
  const file = shown(path);
  const replay = `npx racelab replay ${file}`;
  const report: FailureReport = {
    name: path.replace(/^.*[\\/]/, "").replace(/\.json$/, ""),
    scenario: schedule.scenario,
    runner: schedule.runner,
    ...(schedule.observer && { observer: schedule.observer }),
    ...(schedule.transport && { transport: schedule.transport }),
    choices: run.choices,
    trace: run.trace,
    violations: run.violations,
    replay,
  };
  const written = writeFailureReports(input.out, report);
  return { file, schedule, run, ...(shrunk && { shrunk }), report, html: shown(written.html), trace: shown(written.trace), replay };
}

/** A path relative to the working directory when it is inside it (what output and reports show). */
export function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith("..") ? rel : path;
}
