/**
 * Request coalescing: the first caller for a key does the work; callers arriving while it runs
 * share its result instead of starting their own. Results are not kept once settled.
 */
export class Coalescer<T> {
  private readonly running = new Map<string, Promise<T>>()

  /** The result under way for this key, if any. */
  pending(key: string): Promise<T> | undefined {
    return this.running.get(key)
  }

  /** Registers `work` as the one run for this key until it settles. */
  lead(key: string, work: Promise<T>): Promise<T> {
    this.running.set(key, work)
    const clear = () => {
      if (this.running.get(key) === work) this.running.delete(key)
    }
    work.then(clear, clear)
    return work
  }

  get size(): number {
    return this.running.size
  }
}
