/**
 * Something derived from a stored value (its decoded form), remembered by the value's version. A
 * version names one stored value for good (every write takes a new one, never reused), so a
 * remembered form is right as long as the version asked for matches. The table is direct-mapped and
 * fixed: its memory is bounded and a lookup allocates nothing; a collision only costs a decode.
 * (The engine hands out copies of values, so their identity cannot be the key.) Where versions are
 * unique per key only (the shared tier's come from Redis clocks, one per cluster shard), the key is
 * given too and must match as well.
 */
export class VersionMemo<T> {
  private readonly versions: Float64Array
  private readonly keys: string[]
  private readonly values: (T | undefined)[]
  private readonly mask: number

  /** `slots`: a power of two. */
  constructor(slots = 4096) {
    this.versions = new Float64Array(slots)
    this.keys = new Array<string>(slots).fill('')
    this.values = new Array<T | undefined>(slots).fill(undefined)
    this.mask = slots - 1
  }

  get(version: number, key = ''): T | undefined {
    const at = version & this.mask
    return this.versions[at] === version && this.keys[at] === key ? this.values[at] : undefined
  }

  set(version: number, value: T, key = ''): void {
    const at = version & this.mask
    this.versions[at] = version
    this.keys[at] = key
    this.values[at] = value
  }
}
