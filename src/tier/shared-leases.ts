import type { Leases } from '../modules/kv/lease-port'
import type { WaitOutcome } from '../modules/kv/leases'
import type { SharedStore } from './shared-store'

/** Lease keys start with a control character, which no client key may hold: they cannot collide. */
const leaseKey = (key: string) => `\u0001lease\u0001${key}`

// Ends a lease only if it is still the one given: a later holder's lease survives a late completion.
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`

/**
 * Leases shared by every instance: a lease is a Redis key (SET NX PX), so one holder exists across
 * the tier. Waiters wait on their own instance and are woken when the key is written anywhere (the
 * invalidation every write publishes) or when the lease's time is up, then look again.
 */
export class SharedLeases implements Leases {
  private readonly waiters = new Map<string, Set<(outcome: WaitOutcome) => void>>()

  constructor(private readonly store: SharedStore) {
    store.onChange((key) => this.written(key))
  }

  async acquire(key: string, durationMs: number): Promise<string | undefined> {
    const token = crypto.randomUUID()
    const reply = await this.store.command((redis) => redis.set(leaseKey(key), token, 'PX', durationMs, 'NX'))
    return reply === 'OK' ? token : undefined
  }

  async holds(key: string, token: string): Promise<boolean> {
    return (await this.store.command((redis) => redis.get(leaseKey(key)))) === token
  }

  async completed(key: string, token: string): Promise<void> {
    await this.store.command((redis) => redis.eval(RELEASE, 1, leaseKey(key), token))
  }

  written(key: string): void {
    const waiting = this.waiters.get(key)
    if (waiting === undefined) return
    this.waiters.delete(key)
    for (const wake of waiting) wake('written')
  }

  /** Waits for a write of the key or the end of its lease (then 'released': look again), or `ms`. */
  async wait(key: string, ms: number): Promise<WaitOutcome> {
    const leaseLeft = await this.store.command((redis) => redis.pttl(leaseKey(key)))
    if (leaseLeft < 0) return 'released'
    return new Promise((resolve) => {
      const waiting = this.waiters.get(key) ?? new Set()
      this.waiters.set(key, waiting)
      const finish = (outcome: WaitOutcome) => {
        clearTimeout(timer)
        waiting.delete(finish)
        if (waiting.size === 0 && this.waiters.get(key) === waiting) this.waiters.delete(key)
        resolve(outcome)
      }
      // A lease ending unwritten publishes nothing: look again when its time is up.
      const timer = ms < leaseLeft ? setTimeout(() => finish('timeout'), ms) : setTimeout(() => finish('released'), leaseLeft + 5)
      waiting.add(finish)
    })
  }
}
