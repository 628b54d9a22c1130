import { readFileSync } from "node:fs";
import { ensureDirectory, writeOutputFile } from "../output/writeOutput.ts";
import { join } from "node:path";
import { z } from "zod";
import { InputError } from "../errors.ts";
import { formatIssues, parseScenario } from "../scenario/parseScenario.ts";
import type { Scenario } from "../scenario/schema.ts";
import type { Cause } from "../explain/Cause.ts";

/**
 * A schedule file: plain, versioned JSON, one failing (or any) schedule.
 *
 * ```json
 * { "version": 1, "kind": "racelab-schedule",
 *   "scenario": { ...the whole scenario... },   // replay needs nothing else
 *   "runner": "upstream", "strategy": "random", "seed": 1, "run": 17, "maxSteps": 1000,
 *   "choices": ["b: prompt_async s1", "b1 write user info", ...],   // released labels, in order
 *   "violations": [{ "invariant": "every-message-answered", "message": "...", "step": 19,
 *                    "cause": { "text": "...", "race": [...], "shape": [...], "steps": [...] } }],   // cause optional
 *   "shrink": { "original": { "actions": 3, "steps": 30, "preemptions": 11 },      // optional
 *               "shrunk": { "actions": 3, "steps": 30, "preemptions": 3 }, "attempts": 179 } }
 * ```
 *
 * `choices` are stable labels, not indices: replay releases the point with that label and
 * stops with a divergence when the run no longer offers it. `scenario` is the scenario the
 * choices belong to: after shrinking it may have fewer client actions than the built-in one.
 * Version 1 is the only version.
 */
export const SCHEDULE_VERSION = 1;

const LinkSchema = z.object({ kind: z.enum(["program", "origin", "conflict", "global", "order", "concurrent"]), keys: z.array(z.string()).optional() });
const CauseStepSchema = z.object({
  step: z.number().int().nonnegative(),
  actor: z.string(),
  label: z.string(),
  what: z.string(),
  source: z.enum(["evidence", "conflict", "origin", "input"]),
  after: LinkSchema.optional(),
});
/** A violation's causal chain (see src/harness/explain/Cause.ts), recorded so a file alone tells its race. */
const CauseSchema = z.object({ steps: z.array(CauseStepSchema), text: z.string(), race: z.array(z.string()), shape: z.array(z.string()) });
/** A recorded violation, with its causal chain when it has one (also what `fuzz-result.json` records). */
export const ViolationSchema = z.object({ invariant: z.string(), message: z.string(), step: z.number().int().nonnegative(), cause: CauseSchema.optional() });

const SizeSchema = z.object({ actions: z.number().int(), steps: z.number().int(), preemptions: z.number().int() });
const ShrinkInfoSchema = z.object({ original: SizeSchema, shrunk: SizeSchema, attempts: z.number().int() });

const ScheduleFileSchema = z.object({
  version: z.number().int(),
  kind: z.literal("racelab-schedule"),
  scenario: z.unknown(),
  runner: z.string().min(1),
  /** The run command's observer (scenarios with `run`). */
  observer: z.string().min(1).optional(),
  /** `http` when the run went through the msw HTTP boundary. */
  transport: z.enum(["inproc", "http"]).optional(),
  /** racelab/effect runners: `suspend` when only suspension points were scheduling points. */
  granularity: z.enum(["step", "suspend"]).optional(),
  /** Seed of the run's virtualised randomness (Math.random, crypto); default: from seed and run. */
  randomSeed: z.number().int().optional(),
  strategy: z.string().min(1),
  seed: z.number().int(),
  run: z.number().int().nonnegative(),
  maxSteps: z.number().int().positive(),
  choices: z.array(z.string()),
  violations: z.array(ViolationSchema),
  shrink: ShrinkInfoSchema.optional(),
  /** In `scenarios/regressions/`: `pass` once the bug is fixed (the gate then wants the schedule to pass). */
  expect: z.literal("pass").optional(),
});

/** A parsed schedule file. */
export interface ScheduleFile {
  readonly version: typeof SCHEDULE_VERSION;
  readonly kind: "racelab-schedule";
  readonly scenario: Scenario;
  readonly runner: string;
  readonly observer?: string;
  readonly transport?: "inproc" | "http";
  readonly granularity?: "step" | "suspend";
  readonly randomSeed?: number;
  readonly strategy: string;
  readonly seed: number;
  readonly run: number;
  readonly maxSteps: number;
  readonly choices: readonly string[];
  readonly violations: readonly RecordedViolation[];
  /** Present when the schedule was shrunk: sizes before and after, and runs spent. */
  readonly shrink?: z.output<typeof ShrinkInfoSchema>;
  /** Regression files only: `pass` when the recorded bug is fixed and the schedule must now pass. */
  readonly expect?: "pass";
}

/** A violation as a schedule file records it. */
export interface RecordedViolation {
  readonly invariant: string;
  readonly message: string;
  readonly step: number;
  readonly cause?: Cause;
}

/** Violations as a schedule file records them (the invariant, its message, its step and its causal chain). */
export function recordedViolations(violations: readonly RecordedViolation[]): RecordedViolation[] {
  return violations.map(({ invariant, message, step, cause }) => ({ invariant, message, step, ...(cause && { cause }) }));
}

/** Reads and validates a schedule file; throws {@link InputError} saying what is wrong with it. */
export function readScheduleFile(path: string): ScheduleFile {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a directory" : String(code ?? error);
    throw new InputError(`cannot read schedule file '${path}': ${why}; pass a file written by 'racelab explore'`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InputError(`schedule file '${path}' is not JSON (${(error as Error).message.split("\n")[0]}); pass a file written by 'racelab explore'`);
  }
  const parsed = ScheduleFileSchema.safeParse(json);
  if (!parsed.success) {
    throw new InputError(`schedule file '${path}' is malformed: ${formatIssues(parsed.error)}`);
  }
  if (parsed.data.version !== SCHEDULE_VERSION) {
    throw new InputError(`schedule file '${path}' has version ${parsed.data.version}; this racelab reads version ${SCHEDULE_VERSION}`);
  }
  const scenario = parseScenario(parsed.data.scenario, `the scenario in '${path}'`);
  const { shrink, observer, transport, granularity, randomSeed, expect, ...rest } = parsed.data;
  return {
    ...rest,
    version: SCHEDULE_VERSION,
    kind: "racelab-schedule",
    scenario,
    ...(observer !== undefined && { observer }),
    ...(transport !== undefined && { transport }),
    ...(granularity !== undefined && { granularity }),
    ...(randomSeed !== undefined && { randomSeed }),
    ...(shrink && { shrink }),
    ...(expect && { expect }),
  };
}

/** Serialises a schedule file (stable key order, 2-space indent). */
export function serializeScheduleFile(file: ScheduleFile): string {
  return `${JSON.stringify(file, null, 2)}\n`;
}

/** Writes a schedule file under `dir` with a descriptive name (plus `suffix`); returns its path. */
export function writeScheduleFile(dir: string, file: ScheduleFile, suffix = ""): string {
  ensureDirectory(dir, "--out");
  const invariant = file.violations[0]?.invariant ?? "pass";
  // A runner or observer loaded from a path (`./my/runner.ts`) becomes a file-name-safe slug.
  const slug = (spec: string) => spec.replace(/^\.\//, "").replace(/[^A-Za-z0-9.-]+/g, "_").replace(/^_+/, "");
  const who = `${slug(file.runner)}${file.observer ? `+${slug(file.observer)}` : ""}${file.transport === "http" ? "+http" : ""}`;
  const path = join(dir, `${file.scenario.name}--${who}--${invariant}--seed${file.seed}-run${file.run}${suffix}.json`);
  writeOutputFile(path, serializeScheduleFile(file), "--out");
  return path;
}
