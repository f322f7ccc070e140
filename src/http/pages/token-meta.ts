/**
 * Tells token.js whether this server will refuse the page's data without a token (tokens on and no
 * --public-metrics), so it asks before the first request instead of after a refusal the browser logs.
 */
export const tokenMeta = (tokenNeeded: boolean) => `<meta name="fastcache-token" content="${tokenNeeded ? 'needed' : 'not-needed'}">`

/** What the viewer and dashboard pages tell the browser about tokens; read per request (SIGHUP may turn tokens on). */
export interface PageAccess {
  tokensOn(): boolean
  dataNeedsToken(): boolean
}
