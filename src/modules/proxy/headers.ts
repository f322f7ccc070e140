/**
 * Header fields meaningful for one connection only (RFC 9110 section 7.6.1), and those specific to
 * the proxy a request went through (RFC 9111 section 3.1); never forwarded or stored.
 */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authentication-info',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
])

/** Statuses whose responses have no body (a Response with one would throw). */
export const NULL_BODY_STATUSES: ReadonlySet<number> = new Set([101, 204, 205, 304])

/** Hop-by-hop fields plus any the Connection field names. */
function hopByHopOf(headers: Headers): Set<string> {
  const connection = headers.get('connection')
  if (!connection) return HOP_BY_HOP
  const names = new Set(HOP_BY_HOP)
  for (const name of connection.split(',')) names.add(name.trim().toLowerCase())
  return names
}

/**
 * Request fields that make common origins and frameworks build another response (other host,
 * scheme, port, path or method) while the cache key never sees them: a client sending one could
 * have the response it causes stored and served to everyone (web cache poisoning). Not forwarded
 * unless the upstream's forwardHeaders names them. Client addresses (X-Forwarded-For, X-Real-IP)
 * are not here: they usually come from a load balancer in front, and they name a client, not a
 * resource.
 */
export const UNKEYED_REQUEST_HEADERS: ReadonlySet<string> = new Set([
  'forwarded',
  'x-forwarded-host',
  'x-forwarded-server',
  'x-forwarded-scheme',
  'x-forwarded-proto',
  'x-forwarded-protocol',
  'x-forwarded-ssl',
  'front-end-https',
  'x-url-scheme',
  'x-forwarded-port',
  'x-forwarded-prefix',
  'x-forwarded-path',
  'x-host',
  'x-original-host',
  'x-http-host-override',
  'x-original-url',
  'x-rewrite-url',
  'x-override-url',
  'x-http-method-override',
  'x-http-method',
  'x-method-override',
])

/** In an upstream's forwardHeaders: every end-to-end field (but the unkeyed ones), plus those listed. */
export const ALL_HEADERS = '*'

/** Whether a request field reaches the upstream under its forwardHeaders (null: the default). */
export function forwards(allowList: string[] | null, name: string): boolean {
  if (allowList?.includes(name)) return true
  return (allowList === null || allowList.includes(ALL_HEADERS)) && !UNKEYED_REQUEST_HEADERS.has(name)
}

/**
 * The request headers sent upstream: what `forwards` lets through, without hop-by-hop fields, Host
 * (fetch sets the upstream's) and Content-Length (fetch frames the body itself).
 */
export function upstreamRequestHeaders(incoming: Headers, allowList: string[] | null): Headers {
  const drop = hopByHopOf(incoming)
  const out = new Headers()
  for (const [name, value] of incoming) {
    if (drop.has(name) || name === 'host' || name === 'content-length') continue
    if (forwards(allowList, name)) out.append(name, value)
  }
  return out
}

/**
 * The response fields kept for the client and for storage: end-to-end ones, without Content-Length
 * (the server frames what it sends). Set-Cookie lines stay separate.
 */
export function endToEndResponseHeaders(incoming: Headers): [string, string][] {
  const drop = hopByHopOf(incoming)
  const out: [string, string][] = []
  for (const [name, value] of incoming) {
    if (drop.has(name) || name === 'content-length') continue
    if (name === 'set-cookie') continue
    out.push([name, value])
  }
  for (const cookie of incoming.getSetCookie()) out.push(['set-cookie', cookie])
  return out
}

/** A Content-Length that is one non-negative integer, or undefined. */
export function declaredLength(headers: Headers): number | undefined {
  const field = headers.get('content-length')
  return field !== null && /^[0-9]{1,15}$/.test(field) ? Number(field) : undefined
}

/** A field name (RFC 9110 section 5.1: a token), lower-case. */
const FIELD_NAME = /^[!#$%&'*+.^_`|~0-9a-z-]+$/

/**
 * The field names a Vary value lists, lower-case; `['*']` for Vary: *, and for a Vary that lists
 * something that is not a field name: no request can be matched against it (Headers would throw).
 */
export function varyNames(vary: string | null): string[] {
  if (!vary) return []
  const names = vary
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name.length > 0)
  return names.includes('*') || !names.every((name) => FIELD_NAME.test(name)) ? ['*'] : [...new Set(names)].sort()
}

/**
 * The part of a cache key a Vary adds: the request's values of the named fields, in order,
 * normalised. A field the request lacks is only its name: absent matches only absent, never an
 * empty value (RFC 9111 section 4.1). So is a field that is not forwarded because it is hop-by-hop
 * or the request's Connection names it: the upstream answers without it, and a client naming
 * `Accept-Language` in Connection would otherwise store that answer for everyone sending its value.
 */
export function varyKey(names: string[], request: Headers): string {
  const unsent = hopByHopOf(request)
  return names
    .map((name) => {
      const value = unsent.has(name) ? null : request.get(name)
      return value === null ? name : `${name}:${selectingValue(name, value)}`
    })
    .join('\n')
}

/**
 * The member without the spaces and tabs next to a `;` or `=`; other whitespace is kept. One pass
 * over the characters: a regular expression for this backtracks quadratically on a long run of
 * spaces, which any client could send in a field a response varies on.
 */
function withoutSpaceAroundDelimiters(member: string): string {
  let out = ''
  let space = ''
  let afterDelimiter = false
  for (const char of member) {
    if (char === ' ' || char === '\t') space += char
    else if (char === ';' || char === '=') {
      out += char
      space = ''
      afterDelimiter = true
    } else {
      if (!afterDelimiter) out += space
      out += char
      space = ''
      afterDelimiter = false
    }
  }
  return out
}

/** Content negotiation fields whose members mean the same in any case and order (RFC 9110 section 12.5). */
const UNORDERED_FIELDS = new Set(['accept', 'accept-charset', 'accept-encoding', 'accept-language'])

/**
 * A selecting field's value as Vary compares it (RFC 9111 section 4.1 lets a cache normalise):
 * members without the optional whitespace around them and around `;` and `=`, empty ones dropped
 * (so several lines equal one); for the Accept fields also lower-cased and sorted. Whitespace inside
 * a member is kept: it may mean something.
 */
export function selectingValue(name: string, value: string | null): string {
  if (value === null) return ''
  const members: string[] = []
  for (const member of value.split(',')) {
    const trimmed = withoutSpaceAroundDelimiters(member.trim())
    if (trimmed.length > 0) members.push(trimmed)
  }
  if (!UNORDERED_FIELDS.has(name)) return members.join(',')
  return members
    .map((member) => member.toLowerCase())
    .sort()
    .join(',')
}
