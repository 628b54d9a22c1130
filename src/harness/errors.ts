/**
 * racelab's error classes. Each says what happened, why, and how to fix it; the CLI maps
 * them to exit codes (bad input 2, divergence 3, harness bug 70).
 */

/** Base class of every error racelab throws on purpose. */
export class RacelabError extends Error {
  override name = "RacelabError";
}

/** The user gave racelab something it cannot use (unknown name, bad number, malformed file). */
export class InputError extends RacelabError {
  override name = "InputError";
}

/** A replay met code that no longer offers the recorded choice (or ran out of choices). */
export class ReplayDivergence extends RacelabError {
  override name = "ReplayDivergence";
  constructor(
    message: string,
    /** 1-based step at which the run and the recording disagree. */
    readonly step: number,
  ) {
    super(message);
  }
}

/** racelab itself is broken: an internal assumption failed. Please report it. */
export class HarnessError extends RacelabError {
  override name = "HarnessError";
}

/**
 * Within one exploration, a strategy replaying a prefix it ran before found the code offering
 * something else: the code under test is not deterministic (state kept between runs, or a
 * source racelab does not control). The schedule ends with a `nondeterminism` finding.
 */
export class PrefixDivergence extends RacelabError {
  override name = "PrefixDivergence";
  constructor(
    message: string,
    /** 1-based step at which the run left the prefix. */
    readonly step: number,
  ) {
    super(message);
  }
}
