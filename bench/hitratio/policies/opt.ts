import { IndexedMaxHeap } from './heap'
import type { Policy, PolicyContext } from './types'

/**
 * Belady's OPT with bypass: cached keys sit in a max-heap by next use. A miss is stored, then keys
 * with the furthest next use are evicted until the budget holds; when that is the new key itself,
 * it was never admitted. With equal weights this is the optimum; with sizes it is Belady's rule, not
 * an optimum (see OPT-size and the byte-time bound). It reads each request's next use from the
 * trace, so it must see every request from the first, in order, which the replay guarantees.
 */
export function createOpt({ capacity, trace }: PolicyContext): Policy {
  const heap = new IndexedMaxHeap(trace.keyCount)
  const { ids, nextUse, weights } = trace
  let time = 0
  let used = 0
  return {
    access(key, weight) {
      if (ids[time] !== key) throw new Error('OPT must replay its own trace from the start')
      const next = nextUse[time++]!
      if (heap.has(key)) {
        heap.update(key, next)
        return true
      }
      if (weight > capacity) return false
      heap.push(key, next)
      used += weight
      while (used > capacity) used -= weights[heap.pop()]!
      return false
    },
  }
}
