import { signal, type RunObserver } from "./RunObserver.ts";

/**
 * The fork's fix (docs/design.md §6): a `busy` set from `session.status` events (busy/retry add, idle
 * deletes); `done` resolves once the main session has been idle and the set is empty, or when
 * the event stream closes. After the prompt and `await done`, an unref'd 2 s timer calls
 * `process.exit(0)` (for plugin handles that keep the process alive). Permission asks of the
 * main session are allowed.
 *
 * Its windows: a child that is not busy *yet* (its prompt is still being written) is not in
 * the set; and the child's last idle can empty the set before the parent has been woken.
 */
export const busySet: RunObserver = {
  name: "busy-set",
  description: "the fork's fix: wait until main has been idle and no session is in the busy set (plus a 2 s fallback exit)",
  async run(ctx) {
    const done = signal();
    const busy = new Set<string>();
    let mainIdle = false;
    ctx.subscribe({
      event(e) {
        if (e.type === "status") {
          if (e.status === "idle") busy.delete(e.sessionID);
          else busy.add(e.sessionID);
          if (e.sessionID === ctx.main && e.status === "idle") mainIdle = true;
          if (mainIdle && busy.size === 0) done.resolve();
        } else if (e.type === "permission.asked" && e.sessionID === ctx.main) {
          ctx.replyPermission(e.sessionID, e.permissionID, "allow");
        }
      },
      close: () => done.resolve(),
    });
    await ctx.prompt();
    await done.promise;
    ctx.timers.setTimeout("run exit-fallback", 2000, () => ctx.exit(0), { unref: true });
  },
};
