import { Links, List, NONE } from './links'
import type { Policy, PolicyContext } from './types'

/**
 * SIEVE (Zhang et al., NSDI'24): a FIFO queue with one visited bit per key. A hit sets the bit. To
 * evict, a hand walks from the tail toward the head (wrapping), clearing set bits, and evicts the
 * first unvisited key; the hand stays where it stopped, and new keys go to the head.
 */
export function createSieve({ capacity, trace }: PolicyContext): Policy {
  const links = new Links(trace.keyCount)
  const queue = new List(links)
  const cached = new Uint8Array(trace.keyCount)
  const visited = new Uint8Array(trace.keyCount)
  let hand = NONE

  function evict(): void {
    let key = hand === NONE ? queue.tail : hand
    while (visited[key]) {
      visited[key] = 0
      key = links.prev[key]!
      if (key === NONE) key = queue.tail
    }
    // prev points toward the head: the next key the hand will look at.
    hand = links.prev[key]!
    queue.remove(key)
    cached[key] = 0
  }

  return {
    access(key, weight) {
      if (cached[key]) {
        visited[key] = 1
        return true
      }
      if (weight > capacity) return false
      while (queue.bytes + weight > capacity) evict()
      links.weight[key] = weight
      queue.pushHead(key)
      cached[key] = 1
      visited[key] = 0
      return false
    },
  }
}
