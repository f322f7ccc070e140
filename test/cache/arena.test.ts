import { describe, expect, test } from 'bun:test'
import { Arena, MIN_RECORD_BYTES, NO_RECORD } from '../../src/cache/arena'
import { CLASS_COUNT, MAX_CLASS_BYTES, capacityOf, classOf } from '../../src/cache/size-classes'
import { Rng } from '../../bench/hitratio/prng'

const SEGMENT = 128 * 1024

/**
 * An owner like the engine's slot table: each record carries its owner's id in word 1 and a pattern
 * derived from the id in its last word, so a record copied to the wrong place or overwritten shows.
 */
class Owner {
  readonly addresses = new Map<number, number>()
  readonly sizes = new Map<number, number>()
  readonly arena: Arena
  private nextId = 1

  constructor(limit: number) {
    // The arena may hold at most `limit` bytes in all.
    this.arena = new Arena({
      segmentBytes: SEGMENT,
      slack: () => limit - this.arena.requestedBytes,
      moved: (from, to) => this.moved(from, to),
    })
  }

  add(bytes: number): number | undefined {
    const address = this.arena.allocate(bytes)
    if (address === NO_RECORD) return undefined
    const id = this.nextId++
    this.write(address, id, bytes)
    this.addresses.set(id, address)
    this.sizes.set(id, bytes)
    return id
  }

  remove(id: number): void {
    this.arena.release(this.addresses.get(id)!, this.sizes.get(id)!)
    this.addresses.delete(id)
    this.sizes.delete(id)
  }

  /** Checks every record still carries its id and pattern where the owner thinks it is. */
  check(): void {
    for (const [id, address] of this.addresses) {
      const words = this.arena.words[address >>> this.arena.shift]!
      const at = address & this.arena.mask
      expect(words[at + 1]).toBe(id)
      expect(words[at + this.sizes.get(id)! / 4 - 1]).toBe(pattern(id))
    }
  }

  /**
   * Bytes the live records occupy: each its class's capacity, a class it may hold (its own or one of
   * the next three, when it took a larger hole).
   */
  liveBytes(): number {
    let total = 0
    for (const [id, address] of this.addresses) {
      const capacity = this.arena.capacityAt(address)
      const own = classOf(this.sizes.get(id)!)
      if (capacity < capacityOf(own) || capacity > capacityOf(Math.min(CLASS_COUNT - 1, own + 3)))
        throw new Error(`record ${id} has a capacity of ${capacity}`)
      total += capacity
    }
    return total
  }

  /** Bytes the live records asked for. */
  requestedBytes(): number {
    let total = 0
    for (const bytes of this.sizes.values()) total += bytes
    return total
  }

  private write(address: number, id: number, bytes: number): void {
    const words = this.arena.words[address >>> this.arena.shift]!
    const at = address & this.arena.mask
    words[at + 1] = id
    words[at + bytes / 4 - 1] = pattern(id)
  }

  private moved(from: number, to: number): void {
    const id = this.arena.words[to >>> this.arena.shift]![(to & this.arena.mask) + 1]!
    expect(this.addresses.get(id)).toBe(from)
    this.addresses.set(id, to)
  }
}

const pattern = (id: number) => Math.imul(id, 0x9e3779b1) >>> 0
/** A record size, a multiple of 4 with room for the id and the pattern. */
const recordBytes = (bytes: number) => Math.max(MIN_RECORD_BYTES, bytes & ~3)

describe('size classes', () => {
  test('every size from 1 byte to 1 MiB has a class that holds it, with little rounding', () => {
    let previousClass = -1
    let previousCapacity = 0
    for (let bytes = 1; bytes <= MAX_CLASS_BYTES; bytes++) {
      const cls = classOf(bytes)
      const capacity = capacityOf(cls)
      if (capacity < bytes) throw new Error(`${bytes} B got class ${cls} of ${capacity} B`)
      if (cls !== previousClass) {
        // Classes follow each other with no gap: the next one starts right after the last capacity.
        expect([cls, bytes]).toEqual([previousClass + 1, previousCapacity + 1])
        previousClass = cls
        previousCapacity = capacity
      }
      if (capacity - bytes > Math.max(3, bytes / 32)) throw new Error(`${bytes} B rounds up to ${capacity} B`)
    }
    expect(previousClass).toBe(CLASS_COUNT - 1)
    expect(capacityOf(CLASS_COUNT - 1)).toBe(MAX_CLASS_BYTES)
  })
})

describe('arena', () => {
  test('1M random allocations and frees leak no byte and lose no record', () => {
    const limit = 24 * SEGMENT
    const owner = new Owner(limit)
    const rng = new Rng(0x5eed)
    const ids: number[] = []
    let refused = 0
    for (let step = 0; step < 1_000_000; step++) {
      const r = rng.float()
      // Sizes drift over the run, so holes of old sizes must be reclaimed by recycling or cleaning.
      const phase = Math.floor(step / 200_000)
      const bytes = recordBytes(16 + Math.floor(rng.float() * (phase % 2 === 0 ? 200 : 3000)))
      if (r < 0.55 || ids.length === 0) {
        let id = owner.add(bytes)
        // Full: free records (as the engine evicts) until it fits.
        while (id === undefined) {
          refused++
          const victim = Math.floor(rng.float() * ids.length)
          owner.remove(ids[victim]!)
          ids[victim] = ids[ids.length - 1]!
          ids.pop()
          id = owner.add(bytes)
        }
        ids.push(id)
      } else {
        const victim = Math.floor(rng.float() * ids.length)
        owner.remove(ids[victim]!)
        ids[victim] = ids[ids.length - 1]!
        ids.pop()
      }
      if (step % 100_000 === 0)
        expect([owner.arena.liveBytes, owner.arena.requestedBytes]).toEqual([owner.liveBytes(), owner.requestedBytes()])
      expect(owner.arena.allocatedBytes).toBeLessThanOrEqual(limit)
    }
    owner.check()
    expect([owner.arena.liveBytes, owner.arena.requestedBytes]).toEqual([owner.liveBytes(), owner.requestedBytes()])
    expect(refused).toBeGreaterThan(0)
    expect(owner.arena.movedBytes).toBeGreaterThan(0)
    // Everything freed: nothing is live, and refilling reuses what is held instead of growing.
    const held = owner.arena.allocatedBytes
    for (const id of ids) owner.remove(id)
    expect([owner.arena.liveBytes, owner.arena.requestedBytes]).toEqual([0, 0])
    for (let i = 0; i < 600; i++) expect(owner.add(recordBytes(3000))).toBeDefined()
    expect(owner.arena.allocatedBytes).toBe(held)
  })

  test('a hole is reused by the next record of its class, not by others', () => {
    const owner = new Owner(64 * SEGMENT)
    const a = owner.add(100)!
    owner.add(100)
    const address = owner.addresses.get(a)!
    owner.remove(a)
    const other = owner.add(200)!
    expect(owner.addresses.get(other)).not.toBe(address)
    const same = owner.add(98)!
    expect(owner.addresses.get(same)).toBe(address)
  })

  test('records of up to a whole segment fit; a full arena refuses until records are freed', () => {
    const owner = new Owner(4 * SEGMENT)
    const whole = owner.add(SEGMENT)!
    expect(whole).toBeDefined()
    const ids: number[] = []
    for (let id = owner.add(4096); id !== undefined; id = owner.add(4096)) ids.push(id)
    expect(owner.arena.allocatedBytes).toBeLessThanOrEqual(4 * SEGMENT)
    expect(owner.add(4096)).toBeUndefined()
    owner.remove(ids[0]!)
    expect(owner.add(4096)).toBeDefined()
    owner.check()
  })

  test('external buffers count against the same limit and make free segments give their memory back', () => {
    const owner = new Owner(8 * SEGMENT)
    const ids: number[] = []
    for (let i = 0; i < 6 * 32; i++) ids.push(owner.add(4096)!)
    for (const id of ids) owner.remove(id)
    // Six segments are held, all free: a large buffer takes their place.
    const before = owner.arena.allocatedBytes
    const external = owner.arena.allocateExternal(5 * SEGMENT)
    expect(external).toBeGreaterThanOrEqual(0)
    expect(owner.arena.external(external).byteLength).toBe(5 * SEGMENT)
    expect(owner.arena.allocatedBytes).toBeLessThanOrEqual(8 * SEGMENT)
    expect(owner.arena.allocatedBytes).toBeLessThan(before + 5 * SEGMENT)
    expect(owner.arena.allocateExternal(8 * SEGMENT)).toBe(-1)
    owner.arena.releaseExternal(external)
    expect([owner.arena.liveBytes, owner.arena.requestedBytes]).toEqual([0, 0])
  })
})
