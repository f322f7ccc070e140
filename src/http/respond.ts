/** A JSON response with an explicit status; handlers build Responses directly so nothing re-maps them. */
export function jsonResponse(status: number, body: unknown, headers?: Record<string, string>): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } })
}

/** Epoch milliseconds as ISO-8601, or null. */
export const isoOrNull = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())
