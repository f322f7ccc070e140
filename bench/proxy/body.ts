// What the origin serves for /item/<n>: shared by the origin and the checks that read through the caches.

/** `size` bytes of "<n>:" repeated: deterministic, and different for every key. */
export function bodyOf(n: number, size: number): Buffer {
  return Buffer.alloc(size, `${n}:`)
}

export const etagOf = (n: number, size: number) => `"${size}-${n}"`

/** The path of key `n` on the origin (and, behind the proxy prefix, on the caches). */
export const ITEM_PREFIX = '/item/'
