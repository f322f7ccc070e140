import type { Clock } from '../cache'
import type { Acquired, Leases, WaitOutcome } from './leases'
import { LeaseQuota } from './lease-quota'

interface Lease {
  token: string
  client: string
  /** On the engine's clock: a PUT with the token after this is refused. */
  expiresAt: number
  /** When its timer ends it, on the monotonic clock. */
  endsAt: number
  waiters: Set<(outcome: WaitOutcome) => void>
  timer: Timer
}

/** Outstanding leases at most; more would let clients pile up timers and memory. */
export const MAX_LEASES = 100_000

/**
 * Leases against cache stampedes, after memcache's: the first reader to miss a key gets a token and
 * the job of filling it; readers after it wait for that write instead of all recomputing the value.
 * Validity is judged on the engine's clock; waking waiters when a holder gives up needs a real timer.
 */
export class LeaseTable implements Leases {
  private readonly leases = new Map<string, Lease>()

  constructor(
    private readonly clock: Clock,
    private readonly maxLeases = MAX_LEASES,
    private readonly quota = new LeaseQuota(),
  ) {}

  /**
   * A new token when nobody holds a live lease on the key, else undefined; 'full' at the table's
   * bound, 'client-full' when this client holds its own bound.
   */
  acquire(key: string, durationMs: number, client: string): Acquired {
    const current = this.leases.get(key)
    if (current !== undefined && current.expiresAt > this.clock.now()) return undefined
    if (current !== undefined) this.end(key, current, 'released')
    if (this.leases.size >= this.maxLeases) return 'full'
    if (!this.quota.take(client)) return 'client-full'
    const token = crypto.randomUUID()
    const lease: Lease = {
      token,
      client,
      expiresAt: this.clock.now() + durationMs,
      endsAt: performance.now() + durationMs,
      waiters: new Set(),
      timer: setTimeout(() => this.end(key, lease, 'released'), durationMs),
    }
    lease.timer.unref()
    this.leases.set(key, lease)
    return token
  }

  /** True when `token` is the live lease on the key. */
  holds(key: string, token: string): boolean {
    const lease = this.leases.get(key)
    return lease !== undefined && lease.token === token && lease.expiresAt > this.clock.now()
  }

  /** Whether someone holds a live lease on the key. */
  isHeld(key: string): boolean {
    const lease = this.leases.get(key)
    return lease !== undefined && lease.expiresAt > this.clock.now()
  }

  completed(key: string, token: string): void {
    if (this.holds(key, token)) this.written(key)
  }

  release(key: string, token: string): void {
    const lease = this.leases.get(key)
    if (lease !== undefined && lease.token === token) this.end(key, lease, 'released')
  }

  /** The key was written: its lease (if any) is done and every waiter is woken to read the value. */
  written(key: string): void {
    const lease = this.leases.get(key)
    if (lease !== undefined) this.end(key, lease, 'written')
  }

  /**
   * Waits until the key is written, its lease ends unwritten, or `ms` pass; 'released' at once when
   * no lease is held. A wait reaching past the lease's end just waits for that end, so a waiter
   * whose wait equals the lease time still sees the lease released rather than timing out first.
   */
  wait(key: string, ms: number): Promise<WaitOutcome> {
    const lease = this.leases.get(key)
    if (lease === undefined) return Promise.resolve('released')
    return new Promise((resolve) => {
      const timer =
        performance.now() + ms < lease.endsAt
          ? setTimeout(() => {
              lease.waiters.delete(wake)
              resolve('timeout')
            }, ms)
          : undefined
      const wake = (outcome: WaitOutcome) => {
        clearTimeout(timer)
        resolve(outcome)
      }
      lease.waiters.add(wake)
    })
  }

  get size(): number {
    return this.leases.size
  }

  private end(key: string, lease: Lease, outcome: WaitOutcome): void {
    clearTimeout(lease.timer)
    if (this.leases.get(key) !== lease) return
    this.leases.delete(key)
    this.quota.give(lease.client)
    for (const wake of lease.waiters) wake(outcome)
    lease.waiters.clear()
  }
}
