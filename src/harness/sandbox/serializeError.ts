import { HarnessError, InputError, RacelabError, ReplayDivergence } from "../errors.ts";

/** An error as it crosses from a worker to the main thread. */
export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly step?: number;
  readonly stack?: string;
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof ReplayDivergence) return { name: error.name, message: error.message, step: error.step };
  if (error instanceof Error) return { name: error.name, message: error.message, ...(error.stack && { stack: error.stack }) };
  return { name: "Error", message: String(error) };
}

/** The error again, as racelab's own class where it was one, so the CLI maps it to its exit code. */
export function reviveError(e: SerializedError): Error {
  let error: Error;
  if (e.name === "InputError") error = new InputError(e.message);
  else if (e.name === "ReplayDivergence") error = new ReplayDivergence(e.message, e.step ?? 0);
  else if (e.name === "HarnessError") error = new HarnessError(e.message);
  else if (e.name === "RacelabError") error = new RacelabError(e.message);
  else {
    error = new Error(e.message);
    error.name = e.name;
  }
  if (e.stack) error.stack = e.stack;
  return error;
}
