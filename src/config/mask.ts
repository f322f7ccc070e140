import { createHash } from 'node:crypto'
import { settingSchema } from './schema'

/** A short fingerprint of a secret: tells two apart in a listing, reveals nothing of either. */
export const fingerprint = (secret: string) => createHash('sha256').update(secret).digest('hex').slice(0, 8)

/** A SCOPE:SECRET token as it may be shown: `admin:…1a2b3c4d` (its scope and its fingerprint). */
export function maskToken(token: string): string {
  const colon = token.indexOf(':')
  return colon < 0 ? `…${fingerprint(token)}` : `${token.slice(0, colon)}:…${fingerprint(token.slice(colon + 1))}`
}

/** A URL without its password (`redis://user:***@host:6379`); text that is no URL is masked whole. */
export function maskUrl(text: string): string {
  try {
    const url = new URL(text)
    if (url.password === '') return text
    url.password = '***'
    return url.href
  } catch {
    return '***'
  }
}

/** A setting's value as it may be printed or logged: secrets masked, other values as they are. */
export function maskSetting(key: string, value: unknown): unknown {
  const sensitive = settingSchema(key)?.sensitive
  if (sensitive === 'secret') return Array.isArray(value) ? value.map((item) => maskToken(String(item))) : maskToken(String(value))
  if (sensitive === 'url') return typeof value === 'string' ? maskUrl(value) : value
  return value
}

/** "1st", "2nd", "3rd", "4th"...: how an error names a list item without showing it. */
export function ordinal(n: number): string {
  const tens = n % 100
  const suffix = tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th')
  return `${n}${suffix}`
}
