/** An entry's version as a strong entity tag. */
export const etagOf = (version: number) => `"${version}"`

/**
 * True when an If-Match / If-None-Match header value matches the current version:
 * `*` matches any existing entry, otherwise any listed tag equal to ours (weak tags compare weakly).
 */
export function etagMatches(header: string, version: number | undefined, weak = false): boolean {
  if (version === undefined) return false
  if (header.trim() === '*') return true
  const ours = etagOf(version)
  for (let tag of header.split(',')) {
    tag = tag.trim()
    if (tag.startsWith('W/')) {
      if (!weak) continue
      tag = tag.slice(2)
    }
    if (tag === ours) return true
  }
  return false
}
