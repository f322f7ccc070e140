import { LeaseQuota, type Acquired, type Leases, type WaitOutcome } from '../store'
import type { RedisLike } from './redis-connection'

/** What shared leases need of the tier: its Redis commands (with its failure handling), and word of every write. */
export interface LeaseBackend {
  command<T>(run: (redis: RedisLike) => Promise<T>): Promise<T>
  onChange(listener: (key: string) => void): void
  /** Tells every instance the key changed (as a write does), which wakes the waiters on its lease there. */
  announce(key: string): void
}

/** Lease keys start with a control character, which no client key may hold: they cannot collide. */
const leaseKey = (key: string) => `\u0001lease\u0001${key}`

// Ends a lease only if it is still the one given: a later holder's lease survives a late completion.
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`

/** How much sooner than a lease's end a wait may end and still count as reaching it. */
const WAIT_SLACK_MS = 10

/**
 * Leases shared by every instance: a lease is a Redis key (SET NX PX), so one holder exists across
 * the tier. Waiters wait on their own instance and are woken when the key is written anywhere (the
 * invalidation every write publishes) or when the lease's time is up, then look again.
 */
export class SharedLeases implements Leases {
  private readonly waiters = new Map<string, Set<(outcome: WaitOutcome) => void>>()
  /**
   * This instance's grants by key, for the per-client bound: each gives its slot back when the key is
   * written (by its holder or anyone, on any instance) or when its time is up.
   */
  private readonly granted = new Map<string, { client: string; timer: Timer }>()

  constructor(
    private readonly store: LeaseBackend,
    private readonly quota = new LeaseQuota(),
  ) {
    store.onChange((key) => this.written(key))
  }

  async acquire(key: string, durationMs: number, client: string): Promise<Acquired> {
    if (!this.quota.take(client)) return 'client-full'
    const token = crypto.randomUUID()
    let reply: string | null
    try {
      reply = await this.store.command((redis) => redis.set(leaseKey(key), token, 'PX', durationMs, 'NX'))
    } catch (error) {
      this.quota.give(client)
      throw error
    }
    if (reply !== 'OK') {
      this.quota.give(client)
      return undefined
    }
    // SET NX: a grant still recorded for this key belonged to a lease that has ended.
    this.releaseGrant(key)
    const timer = setTimeout(() => this.releaseGrant(key), durationMs)
    timer.unref()
    this.granted.set(key, { client, timer })
    return token
  }

  private releaseGrant(key: string): void {
    const grant = this.granted.get(key)
    if (grant === undefined) return
    clearTimeout(grant.timer)
    this.granted.delete(key)
    this.quota.give(grant.client)
  }

  async holds(key: string, token: string): Promise<boolean> {
    return (await this.store.command((redis) => redis.get(leaseKey(key)))) === token
  }

  async completed(key: string, token: string): Promise<void> {
    await this.store.command((redis) => redis.eval(RELEASE, 1, leaseKey(key), token))
  }

  /** Ends the lease if it is still this one, and wakes its waiters everywhere: a lease ending unwritten publishes nothing by itself. */
  async release(key: string, token: string): Promise<void> {
    await this.store.command((redis) => redis.eval(RELEASE, 1, leaseKey(key), token))
    this.store.announce(key)
  }

  written(key: string): void {
    this.releaseGrant(key)
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
      // A lease ending unwritten publishes nothing: look again when its time is up. A wait that ends
      // within a few milliseconds of the lease (Redis counts whole milliseconds) waits for that end.
      const timer =
        ms + WAIT_SLACK_MS < leaseLeft ? setTimeout(() => finish('timeout'), ms) : setTimeout(() => finish('released'), leaseLeft + 5)
      waiting.add(finish)
    })
  }
}
