import type { RunnerVariant } from "../../../boundaries/port.ts";
import { createSessionRunner } from "../createSessionRunner.ts";
import type { RunnerDesign } from "../design.ts";

/** The correct design of docs/design.md §8, plus the torn-read and lost-cancel fixes. */
export const fixedDesign: RunnerDesign = {
  recheckBeforeBreak: false,
  pendingRestart: true,
  guardedDelete: true,
  truthfulIdle: true,
  answerByParent: true,
  completeMessagesOnly: true,
  cancelWatermark: true,
  cancelAwaitsExit: true,
  busyOnAccept: true,
  cancelTree: true,
  directWake: true,
  sessionLease: true,
  atomicToolSettle: true,
};

/** The correct design. */
export const fixed: RunnerVariant = {
  name: "fixed",
  description: "the correct design (docs/design.md §8): pending flag + restart, guarded delete, truthful idle, answer by parent link, busy from acceptance, tree cancel",
  create: (port) => createSessionRunner(port, fixedDesign),
  // Every store, runner-map, status and id access of the reference runner reports itself.
  completeFootprints: true,
  // Messages and leases live in port.instance.shared: two instances over one store work.
  instances: true,
};
