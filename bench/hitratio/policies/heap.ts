/** A binary max-heap of key ids with a priority per key and O(log n) update, for OPT. */
export class IndexedMaxHeap {
  private readonly heap: Int32Array
  private readonly pos: Int32Array
  private readonly priority: Float64Array
  size = 0

  constructor(keyCount: number) {
    this.heap = new Int32Array(keyCount)
    this.pos = new Int32Array(keyCount).fill(-1)
    this.priority = new Float64Array(keyCount)
  }

  has(key: number): boolean {
    return this.pos[key]! >= 0
  }

  push(key: number, priority: number): void {
    this.priority[key] = priority
    this.heap[this.size] = key
    this.pos[key] = this.size
    this.up(this.size++)
  }

  update(key: number, priority: number): void {
    const old = this.priority[key]!
    this.priority[key] = priority
    if (priority > old) this.up(this.pos[key]!)
    else this.down(this.pos[key]!)
  }

  /** Removes and returns the key with the largest priority. */
  pop(): number {
    const top = this.heap[0]!
    const last = this.heap[--this.size]!
    this.pos[top] = -1
    if (this.size > 0) {
      this.heap[0] = last
      this.pos[last] = 0
      this.down(0)
    }
    return top
  }

  private up(i: number): void {
    const { heap, pos, priority } = this
    const key = heap[i]!
    const p = priority[key]!
    while (i > 0) {
      const parent = (i - 1) >> 1
      const above = heap[parent]!
      if (priority[above]! >= p) break
      heap[i] = above
      pos[above] = i
      i = parent
    }
    heap[i] = key
    pos[key] = i
  }

  private down(i: number): void {
    const { heap, pos, priority } = this
    const key = heap[i]!
    const p = priority[key]!
    for (;;) {
      let child = 2 * i + 1
      if (child >= this.size) break
      if (child + 1 < this.size && priority[heap[child + 1]!]! > priority[heap[child]!]!) child++
      const below = heap[child]!
      if (priority[below]! <= p) break
      heap[i] = below
      pos[below] = i
      i = child
    }
    heap[i] = key
    pos[key] = i
  }
}
