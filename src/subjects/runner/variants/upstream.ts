import type { RunnerVariant } from "../../../boundaries/port.ts";
import { createSessionRunner } from "../createSessionRunner.ts";
import { upstreamDesign } from "../design.ts";

/** opencode's runner as it stood when PR #21528 was opened. */
export const upstream: RunnerVariant = {
  name: "upstream",
  description: "opencode's runner when PR #21528 was opened: join on Running, onIdle outside the lock, id-order exit test",
  create: (port) => createSessionRunner(port, upstreamDesign),
  // Every store, runner-map, status and id access of the reference runner reports itself.
  completeFootprints: true,
  // Messages and leases live in port.instance.shared: two instances over one store work.
  instances: true,
};
