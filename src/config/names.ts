import { settingSchema } from './schema'

/** Where a value came from, strongest last. */
export type Source = 'default' | 'file' | 'env' | 'flag'

export const flagName = (key: string) => settingSchema(key)?.flag ?? `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`
export const envName = (key: string) => `FASTCACHE_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`

/** How an error names a setting: as the flag, the variable or the config file key it came from. */
export function describeSetting(source: Source, key: string): string {
  if (source === 'flag') return flagName(key)
  if (source === 'env') return envName(key)
  return `config file key "${key}"`
}

/** The known name nearest to a mistyped one (edit distance at most 3), for "did you mean". */
export function nearest(name: string, known: string[]): string | undefined {
  let best: string | undefined
  let bestDistance = 4
  for (const candidate of known) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase())
    if (distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }
  return best
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    previous = current
  }
  return previous[b.length]!
}

export const didYouMean = (suggestion: string | undefined) => (suggestion === undefined ? '' : ` (did you mean ${suggestion}?)`)
