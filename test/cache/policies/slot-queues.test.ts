import { describe, expect, test } from 'bun:test'
import { SlotQueues } from '../../../src/cache/policies/slot-queues'

const NONE = -1

/** A queue's slots from head (newest) to tail, walking the links, and checked against the tail. */
function contents(queues: SlotQueues, queue: number): number[] {
  const out: number[] = []
  let last = NONE
  for (let slot = queues.head(queue); slot !== NONE; slot = queues.next(slot)) {
    expect(queues.queueOf(slot)).toBe(queue)
    out.push(slot)
    last = slot
  }
  expect(queues.tail(queue)).toBe(last)
  return out
}

describe('SlotQueues', () => {
  test('a queue runs from the newest slot at its head to the oldest at its tail', () => {
    const queues = new SlotQueues(1, 8)
    expect(queues.head(0)).toBe(NONE)
    expect(queues.tail(0)).toBe(NONE)
    for (const slot of [3, 1, 4]) queues.pushHead(0, slot)
    expect(contents(queues, 0)).toEqual([4, 1, 3])
  })

  test('unlinking the head, a middle slot or the tail keeps the rest in order', () => {
    const queues = new SlotQueues(1, 8)
    for (const slot of [0, 1, 2, 3, 4]) queues.pushHead(0, slot)
    queues.unlink(2)
    expect(contents(queues, 0)).toEqual([4, 3, 1, 0])
    queues.unlink(4)
    expect(contents(queues, 0)).toEqual([3, 1, 0])
    queues.unlink(0)
    expect(contents(queues, 0)).toEqual([3, 1])
    queues.unlink(3)
    queues.unlink(1)
    expect(contents(queues, 0)).toEqual([])
  })

  test('moveToHead refreshes a slot in its own queue or moves it to another', () => {
    const queues = new SlotQueues(2, 8)
    for (const slot of [0, 1, 2]) queues.pushHead(0, slot)
    queues.moveToHead(0, 0)
    expect(contents(queues, 0)).toEqual([0, 2, 1])
    queues.moveToHead(0, 0)
    expect(contents(queues, 0)).toEqual([0, 2, 1])
    queues.moveToHead(1, 2)
    expect(contents(queues, 0)).toEqual([0, 1])
    expect(contents(queues, 1)).toEqual([2])
  })

  test('queues over the same slots are independent, and each slot keeps its data field', () => {
    const queues = new SlotQueues(3, 8)
    for (let slot = 0; slot < 6; slot++) {
      queues.pushHead(slot % 3, slot)
      queues.setData(slot, -1000 * slot - 1)
    }
    expect([0, 1, 2].map((queue) => contents(queues, queue))).toEqual([
      [3, 0],
      [4, 1],
      [5, 2],
    ])
    queues.unlink(4)
    queues.moveToHead(0, 5)
    expect([0, 1, 2].map((queue) => contents(queues, queue))).toEqual([[5, 3, 0], [1], [2]])
    for (let slot = 0; slot < 6; slot++) expect(queues.data(slot)).toBe(-1000 * slot - 1)
  })

  test('resize keeps every queue and makes room for higher slots', () => {
    const queues = new SlotQueues(2, 4)
    for (let slot = 0; slot < 4; slot++) queues.pushHead(slot % 2, slot)
    queues.resize(1000)
    queues.pushHead(1, 999)
    expect(contents(queues, 0)).toEqual([2, 0])
    expect(contents(queues, 1)).toEqual([999, 3, 1])
  })

  test('clear empties every queue', () => {
    const queues = new SlotQueues(2, 8)
    for (let slot = 0; slot < 4; slot++) queues.pushHead(slot % 2, slot)
    queues.clear()
    expect(contents(queues, 0)).toEqual([])
    expect(contents(queues, 1)).toEqual([])
    queues.pushHead(1, 3)
    expect(contents(queues, 1)).toEqual([3])
  })

  test('random moves match a model of plain arrays', () => {
    const queueCount = 3
    const queues = new SlotQueues(queueCount, 64)
    const model: number[][] = [[], [], []]
    let seed = 12345
    const random = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0
      return (seed >>> 8) % n
    }
    const where = new Map<number, number>()
    for (let step = 0; step < 5000; step++) {
      const slot = random(64)
      const queue = random(queueCount)
      const from = where.get(slot)
      if (from !== undefined) model[from]!.splice(model[from]!.indexOf(slot), 1)
      if (from !== undefined && random(4) === 0) {
        queues.unlink(slot)
        where.delete(slot)
      } else {
        if (from === undefined) queues.pushHead(queue, slot)
        else queues.moveToHead(queue, slot)
        model[queue]!.unshift(slot)
        where.set(slot, queue)
      }
    }
    for (let queue = 0; queue < queueCount; queue++) expect(contents(queues, queue)).toEqual(model[queue]!)
  })
})
