/** True for `application/json` (with or without parameters) and any `+json` type. */
export function isJsonType(contentType: string | null | undefined): boolean {
  if (!contentType) return false
  const semicolon = contentType.indexOf(';')
  const essence = (semicolon < 0 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase()
  return essence === 'application/json' || (essence.startsWith('application/') && essence.endsWith('+json'))
}

export const JSON_TYPE = 'application/json'
export const OCTET_STREAM = 'application/octet-stream'
