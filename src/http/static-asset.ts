import { promisify } from 'node:util'
import { gzip } from 'node:zlib'
import { Elysia } from 'elysia'
import { access, type AccessRule } from '../access/rules'
import { otherMethods } from './method-not-allowed'
import { noBody, textBody } from './openapi/declare'
import { splitUrl } from './url'

const gzipAsync = promisify(gzip)

/**
 * A file the binary carries: imported `with { type: 'file' }`, which gives its path on disk when run
 * from source and its path in the binary's own file system (`/$bunfs/...`) when compiled.
 */
export interface EmbeddedFile {
  path: string
  contentType: string
}

interface Loaded {
  plain: Uint8Array
  gzipped: Uint8Array
  etag: string
}

/** Whether the client accepts gzip (`gzip;q=0` says it does not). */
function acceptsGzip(request: Request): boolean {
  const accepted = request.headers.get('accept-encoding')
  if (accepted === null) return false
  return accepted.split(',').some((coding) => {
    const [name, ...params] = coding.split(';').map((part) => part.trim().toLowerCase())
    return (name === 'gzip' || name === '*') && !params.some((param) => /^q=0(\.0*)?$/.test(param))
  })
}

/**
 * Serves one embedded file. It is read and compressed on its first request (off the event loop:
 * the viewer's script is 1.7 MB) and kept in memory from then on; until then it costs nothing.
 * Browsers revalidate (`no-cache`) and get 304 for an unchanged ETag, so a new build's files
 * are never mixed with an old page.
 */
export function staticAsset(file: EmbeddedFile): (request: Request) => Promise<Response> {
  let loaded: Promise<Loaded> | undefined
  const load = async (): Promise<Loaded> => {
    const plain = await Bun.file(file.path).bytes()
    const gzipped = new Uint8Array(await gzipAsync(plain, { level: 9 }))
    return { plain, gzipped, etag: `"${Bun.hash(plain).toString(36)}"` }
  }
  return async (request) => {
    loaded ??= load()
    const { plain, gzipped, etag } = await loaded
    const headers: Record<string, string> = {
      'content-type': file.contentType,
      'cache-control': 'no-cache',
      etag,
      vary: 'accept-encoding',
      'x-content-type-options': 'nosniff',
    }
    if (request.headers.get('if-none-match') === etag) return new Response(null, { status: 304, headers })
    if (!acceptsGzip(request)) return new Response(plain, { headers })
    return new Response(gzipped, { headers: { ...headers, 'content-encoding': 'gzip' } })
  }
}

/** GET (and HEAD) routes for embedded files by path, each under `scope`, hidden from the OpenAPI document. */
export function embeddedFiles(files: Record<string, EmbeddedFile>, scope: AccessRule['scope']) {
  const app = new Elysia()
  for (const [path, file] of Object.entries(files)) {
    const serve = staticAsset(file)
    // Elysia's route methods add to the instance they are called on.
    app
      .get(path, ({ request }) => serve(request), {
        response: { 200: textBody(file.contentType.split(';')[0]!, 'the file'), 304: noBody('unchanged since the ETag the browser has') },
        detail: { hide: true, ...access(scope) },
      })
      .use(otherMethods(path, ['GET', 'HEAD']))
  }
  return app
}

/**
 * What the pages may load: only this server's own files and data. The browser then refuses any
 * other origin even if a library tried one, and no inline script runs.
 */
const PAGE_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  // Swagger UI and uPlot set style attributes; SVG icons come as data: URLs.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ')

/**
 * An HTML page of ours, at `/<name>`, with the content security policy above. Its links are
 * relative to its own path (`<name>/file`), so it works under a proxy's path prefix too; at
 * `/<name>/` (which the router serves alike) they would miss, so that is redirected to `../<name>`.
 */
export function htmlPage(request: Request, name: string, html: string): Response {
  if (splitUrl(request.url)[0].endsWith('/')) return new Response(null, { status: 308, headers: { location: `../${name}` } })
  return new Response(html, {
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': PAGE_POLICY,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    },
  })
}

/** What an `htmlPage` route answers, for its declaration. */
export const PAGE_REPLIES = {
  200: textBody('text/html', 'the page'),
  308: noBody('at the path with a trailing slash: redirected to the page (its relative links would miss)'),
}

/** Escapes text for an HTML element or a quoted attribute. */
export const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!)
