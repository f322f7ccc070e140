/** Byte sizes as ops write them: `1048576`, `512kb`, `256mb`, `1gb` (binary units, case-insensitive). */

const UNIT_BYTES: Record<string, number> = { '': 1, b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 }
const SIZE = /^([0-9]+)(b|kb|mb|gb)?$/i

/** Parses a size into bytes, or returns undefined when it is not a whole, safe number of bytes. */
export function parseSizeBytes(input: unknown): number | undefined {
  if (typeof input === 'number') return Number.isSafeInteger(input) && input >= 0 ? input : undefined
  if (typeof input !== 'string') return undefined
  const match = SIZE.exec(input.trim())
  if (!match) return undefined
  const bytes = Number(match[1]) * UNIT_BYTES[(match[2] ?? '').toLowerCase()]!
  return Number.isSafeInteger(bytes) ? bytes : undefined
}

export const SIZE_HINT = 'a positive number of bytes, or one with kb, mb or gb (1kb = 1024 bytes)'

/** Renders bytes for humans in logs and help text. */
export function formatSize(bytes: number): string {
  for (const [unit, factor] of [
    ['gb', 1024 ** 3],
    ['mb', 1024 ** 2],
    ['kb', 1024],
  ] as const) {
    if (bytes >= factor && bytes % factor === 0) return `${bytes / factor}${unit}`
  }
  return `${bytes}b`
}
