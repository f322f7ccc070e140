import { createHash } from 'node:crypto'
import { settingSchema } from './schema'

/** A short fingerprint of a secret: tells two apart in a listing, reveals nothing of either. */
export const fingerprint = (secret: string) => createHash('sha256').update(secret).digest('hex').slice(0, 8)

/** A SCOPE:SECRET token as it may be shown: `admin:…1a2b3c4d` (its scope and its fingerprint). */
export function maskToken(token: string): string {
  const colon = token.indexOf(':')
  return colon < 0 ? `…${fingerprint(token)}` : `${token.slice(0, colon)}:…${fingerprint(token.slice(colon + 1))}`
}

/** Text with the password of every URL in it masked: `redis://user:***@host:6379`. */
export const maskUrl = (text: string) => text.replace(/([a-z][a-z0-9+.-]*:\/\/[^:/\s@]*:)[^@\s/]*@/gi, '$1***@')

/**
 * A setting that is one URL, as it may be shown. Unlike `maskUrl` (for URLs inside free text), it
 * knows where the URL ends, so a password with a space, '/', '#' or '?' in it is masked too:
 * everything between the user name and the last '@' is treated as the password.
 */
export function maskUrlSetting(url: string): string {
  const authority = url.indexOf('://')
  const at = url.lastIndexOf('@')
  if (authority < 0 || at < authority) return maskUrl(url)
  const userinfo = url.slice(authority + 3, at)
  const colon = userinfo.indexOf(':')
  // Without a colon the userinfo may itself be the password (redis://secret@host): mask it whole.
  const user = colon < 0 ? '' : userinfo.slice(0, colon + 1)
  return `${url.slice(0, authority + 3)}${user}***${url.slice(at)}`
}

/** A setting's value as it may be printed or logged: secrets masked, other values as they are. */
export function maskSetting(key: string, value: unknown): unknown {
  const sensitive = settingSchema(key)?.sensitive
  if (sensitive === 'secret') return Array.isArray(value) ? value.map((item) => maskToken(String(item))) : maskToken(String(value))
  if (sensitive === 'url') return typeof value === 'string' ? maskUrlSetting(value) : value
  return value
}

/** "1st", "2nd", "3rd", "4th"...: how an error names a list item without showing it. */
export function ordinal(n: number): string {
  const tens = n % 100
  const suffix = tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th')
  return `${n}${suffix}`
}
