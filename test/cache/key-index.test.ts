import { expect, test } from 'bun:test'
import { KeyIndex } from '../../src/cache/key-index'

test('finds exactly what a Map would under random inserts and removals, with colliding hashes', () => {
  const keys: (string | undefined)[] = []
  const hashes: number[] = []
  const index = new KeyIndex(
    (slot) => keys[slot],
    (slot) => hashes[slot]!,
  )
  const reference = new Map<string, number>()
  const free: number[] = []
  let seed = 99
  const random = () => {
    seed ^= seed << 13
    seed ^= seed >>> 17
    seed ^= seed << 5
    return (seed >>> 0) / 2 ** 32
  }
  // Few distinct hashes, so probe runs are long and wrap around the table.
  const hashOf = (key: string) => (Number(key.slice(1)) % 37) * 1_000_003
  for (let step = 0; step < 50_000; step++) {
    const key = `k${Math.floor(random() * 3000)}`
    const hash = hashOf(key)
    const slot = reference.get(key)
    if (slot === undefined) {
      const fresh = free.pop() ?? keys.length
      keys[fresh] = key
      hashes[fresh] = hash
      index.insert(fresh, hash)
      reference.set(key, fresh)
    } else if (random() < 0.5) {
      index.remove(slot, hash)
      keys[slot] = undefined
      free.push(slot)
      reference.delete(key)
    }
    if (step % 1000 === 0) {
      for (let k = 0; k < 3000; k++) expect(index.find(`k${k}`, hashOf(`k${k}`))).toBe(reference.get(`k${k}`) ?? -1)
    }
  }
  expect(index.size).toBe(reference.size)
})
