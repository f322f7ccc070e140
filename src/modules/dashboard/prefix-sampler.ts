import type { CacheEngine, Entry } from '../../cache'
import { RESERVED_KEY_PREFIX } from '../../http/key'

/**
 * A group of keys: the text up to and including the first `/` or `:` (`users/`, `session:`),
 * internal entries by area (`proxy web` for the proxy's responses from upstream `web`), or the keys
 * with no separator in their first 64 characters.
 */
export interface PrefixRow {
  kind: 'prefix' | 'internal' | 'none'
  name: string
  /** Estimated entries and charged bytes in the whole cache (exact when the sample saw every entry). */
  count: number
  bytes: number
}

export interface PrefixSample {
  /** Entries read for this estimate, out of `items`. */
  sampledEntries: number
  items: number
  byCount: PrefixRow[]
  byBytes: PrefixRow[]
}

/** Entries per page, and pages per sample: at most ~5,000 entries (10,000 while it learns the span). */
const PAGE = 100
const PAGES = 50
const SEPARATOR_WITHIN = 64
const SEPARATOR = /[/:]/

function groupOf(key: string): [kind: PrefixRow['kind'], name: string] {
  if (key.startsWith(RESERVED_KEY_PREFIX)) return ['internal', key.slice(1).split(RESERVED_KEY_PREFIX, 2).join(' ')]
  // Separators are ASCII, so cutting right after one never splits a character.
  const at = key.slice(0, SEPARATOR_WITHIN).search(SEPARATOR)
  return at < 0 ? ['none', ''] : ['prefix', key.slice(0, at + 1)]
}

/**
 * The largest key groups, from a systematic sample: pages of entries at evenly spaced cursors
 * across the engine (`entries(cursor, n)` through its public API), so one sample costs the same
 * however large the cache is. A cache of up to ~5,000 entries is read whole, and the figures are exact.
 */
export class PrefixSampler {
  /** How far the engine's cursors reach, as the last walk found; at least the item count. */
  private span = 0

  constructor(private readonly engine: CacheEngine) {}

  sample(top = 10): PrefixSample {
    const { items, bytes } = this.engine.stats()
    const stride = Math.max(PAGE, Math.ceil(Math.max(this.span, items) / PAGES))
    const groups = new Map<string, PrefixRow>()
    let sampled = 0
    let sampledCharge = 0
    const add = (entry: Entry) => {
      const [kind, name] = groupOf(entry.key)
      const id = `${kind}\u0000${name}`
      const row = groups.get(id) ?? { kind, name, count: 0, bytes: 0 }
      groups.set(id, row)
      const charge = this.engine.chargeOf(entry.key, entry.value.byteLength)
      row.count++
      row.bytes += charge
      sampled++
      sampledCharge += charge
    }
    let cursor = 0
    let reachedEnd = false
    for (let pages = 0; pages < 2 * PAGES; pages++) {
      const page = this.engine.entries(cursor, PAGE)
      for (const entry of page.entries) add(entry)
      if (page.next === null) {
        reachedEnd = true
        break
      }
      // A sparse stretch can carry a page past the next stride: never read an entry twice.
      cursor = Math.max(cursor + stride, page.next)
    }
    // Cursors reach about as far as the last page began (plus that page); further if the walk did not end.
    this.span = reachedEnd ? cursor + PAGE : cursor * 2
    const scale = (row: PrefixRow): PrefixRow => ({
      ...row,
      count: Math.round((row.count / sampled) * items),
      bytes: Math.round((row.bytes / sampledCharge) * bytes),
    })
    const rows = sampled === 0 ? [] : [...groups.values()].map(scale)
    return {
      sampledEntries: sampled,
      items,
      byCount: rows.toSorted((a, b) => b.count - a.count || a.name.localeCompare(b.name)).slice(0, top),
      byBytes: rows.toSorted((a, b) => b.bytes - a.bytes || a.name.localeCompare(b.name)).slice(0, top),
    }
  }
}
