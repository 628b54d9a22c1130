/** A promise with its resolver, for `done` and fiber-exit signals inside the runner. */
export interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  /** invariant: true once resolve has been called; later calls are ignored. */
  readonly settled: boolean;
}

/** Creates a {@link Deferred}. */
export function deferred<T>(): Deferred<T> {
  let resolveFn!: (value: T) => void;
  const promise = new Promise<T>((resolve) => {
    resolveFn = resolve;
  });
  const d = {
    promise,
    settled: false,
    resolve(value: T) {
      if (d.settled) return;
      d.settled = true;
      resolveFn(value);
    },
  };
  return d;
}
