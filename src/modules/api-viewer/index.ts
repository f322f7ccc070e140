import { Elysia } from 'elysia'
import swaggerCss from 'swagger-ui-dist/swagger-ui.css' with { type: 'file' }
import swaggerScript from 'swagger-ui-dist/swagger-ui-bundle.js' with { type: 'file' }
import swaggerNotices from 'swagger-ui-dist/swagger-ui-bundle.js.LICENSE.txt' with { type: 'file' }
import viewerScript from './viewer.browser.js' with { type: 'file' }
import tokenScript from '../../http/pages/token.browser.js' with { type: 'file' }
import { access } from '../../access/rules'
import { otherMethods } from '../../http/method-not-allowed'
import { PAGE_REPLIES, embeddedFiles, htmlPage } from '../../http/static-asset'
import type { PageAccess } from '../../http/pages/token-meta'
import { viewerPage } from './page'

const JS = 'text/javascript; charset=utf-8'
/** The files the page loads, by path; the bundle's own comment points at its notices file beside it. */
const FILES = {
  '/openapi/swagger-ui.css': { path: swaggerCss, contentType: 'text/css; charset=utf-8' },
  '/openapi/swagger-ui-bundle.js': { path: swaggerScript, contentType: JS },
  '/openapi/swagger-ui-bundle.js.LICENSE.txt': { path: swaggerNotices, contentType: 'text/plain; charset=utf-8' },
  '/openapi/viewer.js': { path: viewerScript, contentType: JS },
  '/openapi/token.js': { path: tokenScript, contentType: JS },
}

/**
 * `GET /openapi`: an API viewer (Swagger UI, pinned and carried in the binary) on `/openapi/json`,
 * which works with no network but this server's. The page is open; the document needs its own rule,
 * and with tokens on the page asks for one (token.js).
 */
export function apiViewerModule(title: string, pageAccess: PageAccess) {
  return new Elysia({ name: 'api-viewer' })
    .get('/openapi', ({ request }) => htmlPage(request, 'openapi', viewerPage(title, pageAccess.tokensOn(), pageAccess.dataNeedsToken())), {
      response: PAGE_REPLIES,
      // The page and its files hold no data (the document they show needs its own rule): open to anyone.
      detail: { hide: true, ...access('public') },
    })
    .use(otherMethods('/openapi', ['GET', 'HEAD']))
    .use(embeddedFiles(FILES, 'public'))
}
