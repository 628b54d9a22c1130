import { Interrupt } from "../harness/interrupt.ts";
import type { Io } from "./main.ts";

/** Exit code of a run stopped by Ctrl-C before its budget was spent (128 + SIGINT). */
export const EXIT_INTERRUPTED = 130;

/**
 * Runs `work` with Ctrl-C turned into a request to stop: the first press stops it between
 * schedules (the command then prints the partial summary of what ran), a second one quits.
 */
export async function interruptible<T>(io: Io, work: (interrupt: Interrupt) => Promise<T>): Promise<T> {
  const interrupt = new Interrupt();
  const onSignal = () => {
    if (interrupt.requested) process.exit(EXIT_INTERRUPTED);
    interrupt.request();
    io.err("racelab: interrupted; finishing the schedules running now, then printing what ran (Ctrl-C again to quit at once)");
  };
  process.on("SIGINT", onSignal);
  try {
    return await work(interrupt);
  } finally {
    process.off("SIGINT", onSignal);
  }
}
