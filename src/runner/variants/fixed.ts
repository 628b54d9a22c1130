import type { RunnerVariant } from "../../port.ts";
import { createSessionRunner } from "../createSessionRunner.ts";
import type { RunnerDesign } from "../design.ts";

/** Section 8's correct design, plus the torn-read and lost-cancel fixes. */
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
};

/** The correct design. */
export const fixed: RunnerVariant = {
  name: "fixed",
  description: "section 8's design: pending flag + restart, guarded delete, truthful idle, answer by parent link, busy from acceptance, tree cancel",
  create: (port) => createSessionRunner(port, fixedDesign),
};
