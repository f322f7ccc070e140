// Request URLs as Bun gives them (absolute: scheme, host, path, query), read without `new URL`,
// which would cost a parse per request on the hot paths.

/** Where the path begins in an absolute request URL. */
export const pathStart = (url: string) => url.indexOf('/', url.indexOf('//') + 2)

/** The path and the query (without its '?', '' when there is none) of an absolute request URL. */
export function splitUrl(url: string): [pathname: string, query: string] {
  const start = pathStart(url)
  if (start < 0) return ['/', '']
  const queryAt = url.indexOf('?', start)
  return queryAt < 0 ? [url.slice(start), ''] : [url.slice(start, queryAt), url.slice(queryAt + 1)]
}
