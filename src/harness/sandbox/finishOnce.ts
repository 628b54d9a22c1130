/**
 * The one way a promise around a worker thread ends: the first of its outcomes (a message,
 * an error, the thread's exit, a watchdog) settles it and runs `cleanup` (stop the timer, end
 * the thread); whatever comes after is ignored, as the thread may still report while it is
 * being terminated.
 */
export function finishOnce<T>(resolve: (value: T) => void, reject: (error: Error) => void, cleanup: () => void): (result: T | Error) => void {
  let settled = false;
  return (result) => {
    if (settled) return;
    settled = true;
    cleanup();
    if (result instanceof Error) reject(result);
    else resolve(result);
  };
}
