import { signal, type RunObserver } from "./RunObserver.ts";

/**
 * `opencode run` before the fork's fix (docs/design.md §6): send the prompt, and return as soon as it
 * answers or the main session publishes idle. Background children are not looked at: the
 * dispose that follows cancels them mid-work. Permission asks of the main session are allowed.
 */
export const mainIdle: RunObserver = {
  name: "main-idle",
  description: "before the fork's fix: return when the main session answers or publishes idle",
  async run(ctx) {
    const done = signal();
    ctx.subscribe({
      event(e) {
        if (e.type === "idle" && e.sessionID === ctx.main) done.resolve();
        else if (e.type === "permission.asked" && e.sessionID === ctx.main) ctx.replyPermission(e.sessionID, e.permissionID, "allow");
      },
      close: () => done.resolve(),
    });
    ctx.prompt().then(done.resolve, done.resolve);
    await done.promise;
  },
};
