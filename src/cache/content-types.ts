/**
 * Content types repeat across entries: each distinct one is stored once and entries keep a small
 * number. The table is bounded, so random types from clients cannot grow it without limit; entries
 * with a type past the bound keep their own string in a side map.
 */
const MAX_TYPES = 4096
const UNINTERNED = -1

export class ContentTypes {
  private readonly ids = new Map<string, number>()
  private readonly names: string[] = []
  private readonly uninterned = new Map<number, string>()
  // Writes mostly repeat the type of the one before: that one is answered without a Map lookup.
  private lastType = ''
  private lastId = -1

  /** Records the type of `slot` and returns the id to keep in the slot. */
  store(slot: number, type: string): number {
    if (this.uninterned.size > 0) this.uninterned.delete(slot)
    if (type === this.lastType && this.lastId >= 0) return this.lastId
    let id = this.ids.get(type)
    if (id !== undefined) {
      this.lastType = type
      this.lastId = id
      return id
    }
    if (this.names.length < MAX_TYPES) {
      id = this.names.length
      this.names.push(type)
      this.ids.set(type, id)
      this.lastType = type
      this.lastId = id
      return id
    }
    this.uninterned.set(slot, type)
    return UNINTERNED
  }

  name(slot: number, id: number): string {
    return id === UNINTERNED ? this.uninterned.get(slot)! : this.names[id]!
  }

  release(slot: number): void {
    if (this.uninterned.size > 0) this.uninterned.delete(slot)
  }

  clear(): void {
    this.uninterned.clear()
  }
}
