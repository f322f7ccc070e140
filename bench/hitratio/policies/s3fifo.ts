import { Links, List } from './links'
import type { Policy, PolicyContext } from './types'

const NOWHERE = 0
const SMALL = 1
const MAIN = 2
const GHOST = 3

/**
 * S3-FIFO (Yang et al., SOSP'23, Algorithm 1): a small FIFO (10% of the capacity) takes new keys, a
 * main FIFO the rest, and a ghost FIFO of keys evicted from small, sized like main. A hit bumps a
 * 2-bit counter (max 3). Evicting from small moves a key hit more than once to main (counter cleared,
 * as the authors' code does), else sends it to the ghost; evicting from main reinserts a key whose
 * counter is non-zero with the counter minus one. A miss on a ghost key inserts it into main.
 */
export function createS3Fifo({ capacity, trace }: PolicyContext): Policy {
  const smallCapacity = capacity * 0.1
  const mainCapacity = capacity - smallCapacity
  const links = new Links(trace.keyCount)
  const small = new List(links)
  const main = new List(links)
  const ghost = new List(links)
  const where = new Uint8Array(trace.keyCount)
  const freq = new Uint8Array(trace.keyCount)

  function evictMain(): void {
    while (main.count > 0) {
      const key = main.popTail()
      if (freq[key]! > 0) {
        freq[key]!--
        main.pushHead(key)
      } else {
        where[key] = NOWHERE
        return
      }
    }
  }

  function evictSmall(): void {
    while (small.count > 0) {
      const key = small.popTail()
      if (freq[key]! > 1) {
        freq[key] = 0
        where[key] = MAIN
        main.pushHead(key)
        if (main.bytes > mainCapacity) evictMain()
      } else {
        where[key] = GHOST
        ghost.pushHead(key)
        while (ghost.bytes > mainCapacity) where[ghost.popTail()] = NOWHERE
        return
      }
    }
  }

  return {
    access(key, weight) {
      const place = where[key]
      if (place === SMALL || place === MAIN) {
        if (freq[key]! < 3) freq[key]!++
        return true
      }
      if (weight > capacity) return false
      // Leave the ghost first: the evictions below may push the ghost's tail out.
      if (place === GHOST) ghost.remove(key)
      while (small.bytes + main.bytes + weight > capacity) {
        if (main.count === 0 || (small.count > 0 && small.bytes >= smallCapacity)) evictSmall()
        else evictMain()
      }
      freq[key] = 0
      links.weight[key] = weight
      if (place === GHOST) {
        where[key] = MAIN
        main.pushHead(key)
      } else {
        where[key] = SMALL
        small.pushHead(key)
      }
      return false
    },
  }
}
