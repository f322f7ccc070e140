import type { Policy, PolicyContext } from './types'

/** Larger than any (distance × size) in these traces, so keys never used again always go first. */
const NEVER_AGAIN = 1e18

/**
 * A size-aware offline heuristic for byte budgets (Belady-Size, as in libCacheSim and the LRB
 * paper): on overflow, evict the object (the new one included, which is then not admitted) with the
 * largest (next use − now) × size; objects never requested again go first, largest first.
 * It is a feasible policy, so a lower bound on the true optimum; the byte-time bound is the upper one.
 * Each eviction scans the cached objects: exact, and fast enough at these sizes.
 */
export function createOptSize({ capacity, trace }: PolicyContext): Policy {
  const { ids, nextUse, weights } = trace
  const never = ids.length
  const members = new Int32Array(trace.keyCount)
  const slot = new Int32Array(trace.keyCount).fill(-1)
  const next = new Float64Array(trace.keyCount)
  let count = 0
  let time = 0
  let used = 0

  function evictOne(now: number): void {
    let worst = 0
    let worstScore = -1
    for (let i = 0; i < count; i++) {
      const key = members[i]!
      const n = next[key]!
      const score = n >= never ? NEVER_AGAIN + weights[key]! : (n - now) * weights[key]!
      if (score > worstScore) {
        worstScore = score
        worst = i
      }
    }
    const victim = members[worst]!
    const last = members[--count]!
    members[worst] = last
    slot[last] = worst
    slot[victim] = -1
    used -= weights[victim]!
  }

  return {
    access(key, weight) {
      if (ids[time] !== key) throw new Error('OPT-size must replay its own trace from the start')
      const now = time
      next[key] = nextUse[time++]!
      if (slot[key]! >= 0) return true
      if (weight > capacity) return false
      members[count] = key
      slot[key] = count++
      used += weight
      while (used > capacity) evictOne(now)
      return false
    },
  }
}
