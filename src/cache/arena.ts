import { CLASS_COUNT, capacityOf, classOf } from './size-classes'

/** No record: an empty free list, a failed allocation. */
export const NO_RECORD = 0xffffffff

// The first word of every record belongs partly to the arena: its size class and whether it is free.
// The owner keeps its own fields in the other bits and words; a free record's words 2 and 3 link it
// into its class's free list, so a free record keeps its first two words (its size stays readable).
const CLASS_MASK = 0x1ff
const FREE_BIT = 0x200
/** The bits of a record's first word the owner may use. */
export const OWNER_BITS = ~(CLASS_MASK | FREE_BIT)
const NEXT = 2
const PREV = 3
/** Smallest record: room for the class word, the owner's second word and the two links. */
export const MIN_RECORD_BYTES = 16

const LARGEST_SEGMENT = 1 << 20
/** Big enough for a record with the longest key (64 KiB). */
const SMALLEST_SEGMENT = 128 * 1024
/** Addresses are 32-bit counts of 4-byte words: 16 GiB of segments at most. */
const ADDRESS_WORDS = 2 ** 32
/** A segment is cleaned only when that frees at least this share of it: at most 7 bytes copied per byte won. */
const MIN_CLEANING_GAIN = 1 / 8
/**
 * A record with no hole of its own class takes one up to this many classes larger (at most ~10% more
 * than it needs above 256 B, 12 B below): holes of nearby sizes get reused instead of piling up.
 */
const LARGER_CLASSES_TRIED = 3
const EMPTY_BYTES = new Uint8Array(0)
const EMPTY_WORDS = new Uint32Array(0)

// biome-ignore lint/suspicious/noConstEnum: inlined as numbers on the allocation path, and never exported.
const enum Segment {
  Dropped = 0,
  Free = 1,
  InUse = 2,
}

export interface ArenaOptions {
  /** Bytes per segment: a power of two from 128 KiB to 1 MiB. */
  segmentBytes: number
  /** How many bytes the arena may hold beyond its live records right now (unused room, holes, free segments). */
  slack(): number
  /** Cleaning copied the record at `from` to `to`; whoever addressed it must now use `to`. */
  moved(from: number, to: number): void
}

/** The segment size for a memory bound: 1/16 of it, between 128 KiB and 1 MiB, so a small cache is not one segment. */
export function segmentBytesFor(maxBytes: number): number {
  const target = Math.min(LARGEST_SEGMENT, Math.max(SMALLEST_SEGMENT, maxBytes / 16))
  return 2 ** Math.floor(Math.log2(target))
}

/**
 * Records in large preallocated byte segments (ArrayBuffers), addressed by a 32-bit word number
 * (segment << shift | word), never by object. A record may take up to a whole segment; the owner
 * gives large values (over `inlineBytes`) a buffer of their own ("external") instead, which is never
 * written after it is filled.
 *
 * Allocation, in order: a hole of exactly the record's size class (a dead record, on its class's
 * doubly linked free list, threaded through the holes themselves), else the next bytes of the head
 * segment, else a fresh segment if the slack allows, else cleaning: the segment with the fewest live
 * bytes has its live records copied elsewhere (the owner is told each new address) and becomes free.
 * A segment whose records all die is freed at once, without copying. When none of this finds room
 * the caller must free records (evict) and try again.
 */
export class Arena {
  readonly segmentBytes: number
  /** Largest record worth keeping in a segment (1/16 of it, so a segment's unusable tail stays small). */
  readonly inlineBytes: number
  /** Address -> segment: `address >>> shift`; word within the segment: `address & mask`. */
  readonly shift: number
  readonly mask: number
  /** Per segment: its bytes and the same memory as 32-bit words. */
  bytes: Uint8Array[] = []
  words: Uint32Array[] = []
  /** Bytes of segments and external buffers held. */
  allocatedBytes = 0
  /** Bytes of live records (their full class capacity) and live external buffers. */
  liveBytes = 0
  /**
   * Bytes the owner asked for: live records before rounding to their class, and external buffers.
   * The slack is measured against these, so size-class rounding counts as room used.
   */
  requestedBytes = 0
  private readonly segmentWords: number
  private readonly options: ArenaOptions
  private state: Segment[] = []
  /** Words handed out from the start of each segment (the rest is untouched). */
  private used: number[] = []
  private live: number[] = []
  private freeSegments: number[] = []
  private droppedSegments: number[] = []
  private head = -1
  private readonly freeLists = new Uint32Array(CLASS_COUNT).fill(NO_RECORD)
  private externals: (Uint8Array | undefined)[] = []
  private freeExternals: number[] = []
  private cleaning = false
  /** Bytes copied by cleaning since the arena was made (a measure of its cost). */
  movedBytes = 0

  constructor(options: ArenaOptions) {
    const bytes = options.segmentBytes
    if (!Number.isInteger(Math.log2(bytes)) || bytes < SMALLEST_SEGMENT || bytes > LARGEST_SEGMENT)
      throw new RangeError(`bad segment size ${bytes}`)
    this.options = options
    this.segmentBytes = bytes
    this.segmentWords = bytes >> 2
    this.inlineBytes = bytes >> 4
    this.shift = Math.log2(this.segmentWords)
    this.mask = this.segmentWords - 1
  }

  /** Segments currently holding memory (in use or free). */
  get segmentCount(): number {
    return this.bytes.length - this.droppedSegments.length
  }

  /**
   * Whether the live record at `address` could have been allocated for `bytes`: its class is theirs or
   * one of the few larger ones allocation also takes (so a rewrite in place wastes no more than allocation).
   */
  fitsClassOf(address: number, bytes: number): boolean {
    const own = this.words[address >>> this.shift]![address & this.mask]! & CLASS_MASK
    const cls = classOf(Math.max(bytes, MIN_RECORD_BYTES))
    return own >= cls && own <= cls + LARGER_CLASSES_TRIED
  }

  /** Capacity of the live record at `address`. */
  capacityAt(address: number): number {
    return capacityOf(this.words[address >>> this.shift]![address & this.mask]! & CLASS_MASK)
  }

  /**
   * Room for a record of `bytes` (at most segmentBytes); returns its address, or NO_RECORD when
   * nothing can be found without freeing records. The record's first word holds its class; the
   * owner writes everything else.
   */
  allocate(bytes: number): number {
    const cls = classOf(Math.max(bytes, MIN_RECORD_BYTES))
    const words = capacityOf(cls) >> 2
    for (;;) {
      const address = this.take(cls, words, -1, LARGER_CLASSES_TRIED)
      if (address !== NO_RECORD) {
        this.requestedBytes += bytes
        return address
      }
      if (this.openHead()) continue
      if (!this.clean(words << 2)) return NO_RECORD
    }
  }

  /** Frees the record at `address` (allocated for `bytes`); its room is reused by the next record of the same class. */
  release(address: number, bytes: number): void {
    this.requestedBytes -= bytes
    const segment = address >>> this.shift
    const words = this.words[segment]!
    const at = address & this.mask
    const cls = words[at]! & CLASS_MASK
    const capacity = capacityOf(cls)
    words[at] = (words[at]! & ~CLASS_MASK) | cls | FREE_BIT
    this.live[segment]! -= capacity
    this.liveBytes -= capacity
    this.link(cls, address)
    // A segment with nothing live is whole again: every record size may use it, no copying needed.
    if (this.live[segment] === 0 && segment !== this.head && !this.cleaning) this.recycle(segment)
  }

  /** A live record was rewritten in place (same class) with a new exact size. */
  resized(fromBytes: number, toBytes: number): void {
    this.requestedBytes += toBytes - fromBytes
  }

  /** Room for an external value of `length` bytes; returns its id, or -1 when records must be freed first. */
  allocateExternal(length: number): number {
    while (!this.mayGrow(length, false)) {
      const free = this.freeSegments.pop()
      if (free !== undefined) this.drop(free)
      else if (!this.clean(0)) return -1
    }
    const id = this.freeExternals.pop() ?? this.externals.length
    this.externals[id] = new Uint8Array(length)
    this.allocatedBytes += length
    this.liveBytes += length
    this.requestedBytes += length
    return id
  }

  /** An external buffer. The arena never writes it after the owner fills it, so it may be handed out as is. */
  external(id: number): Uint8Array {
    return this.externals[id]!
  }

  releaseExternal(id: number): void {
    const length = this.externals[id]!.byteLength
    this.externals[id] = undefined
    this.freeExternals.push(id)
    this.allocatedBytes -= length
    this.liveBytes -= length
    this.requestedBytes -= length
  }

  /** Forgets everything and gives every buffer back to the garbage collector. */
  clear(): void {
    this.bytes = []
    this.words = []
    this.state = []
    this.used = []
    this.live = []
    this.freeSegments = []
    this.droppedSegments = []
    this.head = -1
    this.freeLists.fill(NO_RECORD)
    this.externals = []
    this.freeExternals = []
    this.allocatedBytes = 0
    this.liveBytes = 0
    this.requestedBytes = 0
  }

  /**
   * A hole of the record's class or up to `larger` classes above (the record then keeps the larger
   * class), or the head segment's next bytes; never grows or cleans.
   */
  private take(cls: number, words: number, exclude: number, larger: number): number {
    const last = Math.min(CLASS_COUNT - 1, cls + larger)
    for (let fit = cls; fit <= last; fit++) {
      const hole = this.freeLists[fit]!
      if (hole === NO_RECORD || hole >>> this.shift === exclude) continue
      this.unlink(fit, hole)
      const segment = hole >>> this.shift
      const capacity = capacityOf(fit)
      this.words[segment]![hole & this.mask] = fit
      this.live[segment]! += capacity
      this.liveBytes += capacity
      return hole
    }
    const head = this.head
    if (head < 0 || this.used[head]! + words > this.segmentWords) return NO_RECORD
    const at = this.used[head]!
    this.used[head] = at + words
    this.words[head]![at] = cls
    this.live[head]! += words << 2
    this.liveBytes += words << 2
    return head * this.segmentWords + at
  }

  /**
   * Makes a fresh head segment: a free one, or a new one while the slack allows. One free segment is
   * kept back for cleaning unless the slack would allow a new one anyway.
   */
  private openHead(): boolean {
    const free = this.freeSegments.length
    if (free > 1 || (free === 1 && (this.cleaning || this.mayGrow(this.segmentBytes, true)))) {
      this.head = this.freeSegments.pop()!
      this.state[this.head] = Segment.InUse
      return true
    }
    if (!this.cleaning && !this.mayGrow(this.segmentBytes, false)) return false
    const segment = this.newSegment()
    if (segment < 0) return false
    this.head = segment
    return true
  }

  /**
   * Whether `bytes` more may be held: what is held beyond the bytes asked for, plus room for one spare
   * segment for cleaning (unless a free one exists or this is that spare), stays within the slack.
   */
  private mayGrow(bytes: number, spareExists: boolean): boolean {
    const spare = spareExists || this.freeSegments.length > 0 ? 0 : this.segmentBytes
    return this.allocatedBytes + bytes + spare - this.requestedBytes <= this.options.slack()
  }

  private newSegment(): number {
    let segment = this.droppedSegments.pop()
    if (segment === undefined) {
      if (this.bytes.length >= ADDRESS_WORDS / this.segmentWords) return -1
      segment = this.bytes.length
    }
    const bytes = new Uint8Array(this.segmentBytes)
    this.bytes[segment] = bytes
    this.words[segment] = new Uint32Array(bytes.buffer)
    this.state[segment] = Segment.InUse
    this.used[segment] = 0
    this.live[segment] = 0
    this.allocatedBytes += this.segmentBytes
    return segment
  }

  /**
   * Frees the in-use segment with the fewest live bytes by copying its live records elsewhere, if that
   * frees at least `needed` bytes and a quarter of the segment. Returns false when no segment is worth it.
   */
  private clean(needed: number): boolean {
    let victim = -1
    let least = Infinity
    for (let segment = 0; segment < this.state.length; segment++) {
      if (this.state[segment] !== Segment.InUse || segment === this.head) continue
      if (this.live[segment]! < least) {
        least = this.live[segment]!
        victim = segment
      }
    }
    if (victim < 0 || this.segmentBytes - least < Math.max(needed, this.segmentBytes * MIN_CLEANING_GAIN)) return false
    this.cleaning = true
    try {
      this.forEachRecord(victim, (cls, at) => {
        if (this.words[victim]![at]! & FREE_BIT) this.unlink(cls, victim * this.segmentWords + at)
      })
      this.forEachRecord(victim, (cls, at) => {
        if (this.words[victim]![at]! & FREE_BIT) return
        this.move(victim, at, cls)
      })
    } finally {
      this.cleaning = false
    }
    this.reset(victim)
    return true
  }

  private move(segment: number, at: number, cls: number): void {
    const capacity = capacityOf(cls)
    // A moved record keeps its class (a larger hole would let it creep up a few classes per move).
    let to = this.take(cls, capacity >> 2, segment, 0)
    if (to === NO_RECORD) {
      if (!this.openHead()) throw new Error('arena: no segment to clean into')
      to = this.take(cls, capacity >> 2, segment, 0)
    }
    const toSegment = to >>> this.shift
    const toAt = to & this.mask
    this.bytes[toSegment]!.set(this.bytes[segment]!.subarray(at << 2, (at << 2) + capacity), toAt << 2)
    this.live[segment]! -= capacity
    this.liveBytes -= capacity
    this.movedBytes += capacity
    this.options.moved(segment * this.segmentWords + at, to)
  }

  /** A segment whose records are all free: take its holes off the free lists and make it free. */
  private recycle(segment: number): void {
    this.forEachRecord(segment, (cls, at) => this.unlink(cls, segment * this.segmentWords + at))
    this.reset(segment)
  }

  private reset(segment: number): void {
    this.used[segment] = 0
    this.live[segment] = 0
    this.state[segment] = Segment.Free
    this.freeSegments.push(segment)
  }

  /** Gives a free segment's memory back (to make room for an external value). */
  private drop(segment: number): void {
    this.bytes[segment] = EMPTY_BYTES
    this.words[segment] = EMPTY_WORDS
    this.state[segment] = Segment.Dropped
    this.droppedSegments.push(segment)
    this.allocatedBytes -= this.segmentBytes
  }

  private forEachRecord(segment: number, visit: (cls: number, at: number) => void): void {
    const words = this.words[segment]!
    const end = this.used[segment]!
    for (let at = 0; at < end; ) {
      const cls = words[at]! & CLASS_MASK
      visit(cls, at)
      at += capacityOf(cls) >> 2
    }
  }

  private link(cls: number, address: number): void {
    const words = this.words[address >>> this.shift]!
    const at = address & this.mask
    const next = this.freeLists[cls]!
    words[at + NEXT] = next
    words[at + PREV] = NO_RECORD
    if (next !== NO_RECORD) this.words[next >>> this.shift]![(next & this.mask) + PREV] = address
    this.freeLists[cls] = address
  }

  private unlink(cls: number, address: number): void {
    const words = this.words[address >>> this.shift]!
    const at = address & this.mask
    const next = words[at + NEXT]!
    const previous = words[at + PREV]!
    if (previous === NO_RECORD) this.freeLists[cls] = next
    else this.words[previous >>> this.shift]![(previous & this.mask) + NEXT] = next
    if (next !== NO_RECORD) this.words[next >>> this.shift]![(next & this.mask) + PREV] = previous
  }
}
