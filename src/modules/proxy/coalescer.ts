/** A piece of work under way for a key, and when it will have given up (performance.now() ms). */
export interface Pending<T> {
  work: Promise<T>
  deadline: number
}

/**
 * Request coalescing: the first caller for a key does the work; callers arriving while it runs
 * share its result instead of starting their own. Results are not kept once settled.
 */
export class Coalescer<T> {
  private readonly running = new Map<string, Pending<T>>()

  /** The work under way for this key, if any. */
  pending(key: string): Pending<T> | undefined {
    return this.running.get(key)
  }

  /** Registers `work` as the one run for this key until it settles; it gives up within `timeoutMs`. */
  lead(key: string, work: Promise<T>, timeoutMs: number): Promise<T> {
    const pending = { work, deadline: performance.now() + timeoutMs }
    this.running.set(key, pending)
    const clear = () => {
      if (this.running.get(key) === pending) this.running.delete(key)
    }
    work.then(clear, clear)
    return work
  }

  get size(): number {
    return this.running.size
  }
}

/** The work's result, or undefined when it has not settled by its deadline plus `marginMs` (it should have given up by then). */
export async function waitFor<T>(pending: Pending<T>, marginMs: number): Promise<T | undefined> {
  const waitMs = pending.deadline + marginMs - performance.now()
  let timer: Timer | undefined
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), waitMs)))
  try {
    return await Promise.race([pending.work, late])
  } finally {
    clearTimeout(timer)
  }
}
