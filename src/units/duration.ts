/** Durations as users write them: `30` (seconds), `250ms`, `30s`, `5m`, `2h`, `1d`. */

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }
const DURATION = /^([1-9][0-9]*)(ms|s|m|h|d)?$/

/** Longest accepted duration: far beyond any sane TTL, and still exact as a float of milliseconds. */
export const MAX_DURATION_MS = 100 * 365 * UNIT_MS.d!

/**
 * Parses a positive duration into milliseconds, or returns undefined when it is not one.
 * A bare JSON number counts as seconds; it must be a positive integer.
 */
export function parseDurationMs(input: unknown): number | undefined {
  let ms: number
  if (typeof input === 'number') {
    ms = input * 1000
    if (!Number.isInteger(input) || input <= 0) return undefined
  } else if (typeof input === 'string') {
    const match = DURATION.exec(input)
    if (!match) return undefined
    ms = Number(match[1]) * UNIT_MS[match[2] ?? 's']!
  } else {
    return undefined
  }
  return ms <= MAX_DURATION_MS ? ms : undefined
}

export const DURATION_HINT = 'a positive integer of seconds, or one with a unit: 250ms, 30s, 5m, 2h, 1d'
