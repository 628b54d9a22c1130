import type { RunnerVariant } from "../../../boundaries/port.ts";
import { createSessionRunner } from "../createSessionRunner.ts";
import { upstreamDesign } from "../design.ts";

/** Upstream plus PR #21528's re-read before `break`. */
export const pr21528: RunnerVariant = {
  name: "pr-21528",
  description: "upstream + PR #21528: re-read the messages before break (narrows the lost wake-up, does not close it)",
  create: (port) => createSessionRunner(port, { ...upstreamDesign, recheckBeforeBreak: true }),
  // Every store, runner-map, status and id access of the reference runner reports itself.
  completeFootprints: true,
  // Messages and leases live in port.instance.shared: two instances over one store work.
  instances: true,
};
