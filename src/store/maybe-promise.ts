/** A store's answer: a plain value from the local engine (or a near-cache hit), a promise when it asks Redis. */
export type MaybePromise<T> = T | Promise<T>

/**
 * Applies `next` at once to a plain value, or when a promise resolves: the local path stays
 * synchronous. `failed` gets a promise's rejection (a store's failure), not what `next` throws.
 */
export function then<T, U>(
  value: MaybePromise<T>,
  next: (value: T) => MaybePromise<U>,
  failed?: (error: unknown) => MaybePromise<U>,
): MaybePromise<U> {
  return value instanceof Promise ? value.then(next, failed) : next(value)
}

/** Every value, as a plain array when none is a promise (the local store's case), else once all have resolved. */
export function all<T>(values: MaybePromise<T>[]): MaybePromise<T[]> {
  return values.some((value) => value instanceof Promise) ? Promise.all(values) : (values as T[])
}
