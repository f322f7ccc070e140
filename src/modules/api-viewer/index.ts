import { Elysia } from 'elysia'
import swaggerCss from 'swagger-ui-dist/swagger-ui.css' with { type: 'file' }
import swaggerScript from 'swagger-ui-dist/swagger-ui-bundle.js' with { type: 'file' }
import swaggerNotices from 'swagger-ui-dist/swagger-ui-bundle.js.LICENSE.txt' with { type: 'file' }
import viewerScript from './viewer.browser.js' with { type: 'file' }
import { access } from '../../access/rules'
import { otherMethods } from '../../http/method-not-allowed'
import { PAGE_REPLIES, embeddedFiles, htmlPage } from '../../http/static-asset'
import { viewerPage } from './page'

const JS = 'text/javascript; charset=utf-8'
/** The files the page loads, by path; the bundle's own comment points at its notices file beside it. */
const FILES = {
  '/openapi/swagger-ui.css': { path: swaggerCss, contentType: 'text/css; charset=utf-8' },
  '/openapi/swagger-ui-bundle.js': { path: swaggerScript, contentType: JS },
  '/openapi/swagger-ui-bundle.js.LICENSE.txt': { path: swaggerNotices, contentType: 'text/plain; charset=utf-8' },
  '/openapi/viewer.js': { path: viewerScript, contentType: JS },
}

/**
 * `GET /openapi`: an API viewer (Swagger UI, pinned and carried in the binary) on `/openapi/json`,
 * which works with no network but this server's. Same rule as the document it shows.
 */
export function apiViewerModule(title: string, tokensOn: () => boolean) {
  return new Elysia({ name: 'api-viewer' })
    .get('/openapi', ({ request }) => htmlPage(request, 'openapi', viewerPage(title, tokensOn())), {
      response: PAGE_REPLIES,
      detail: { hide: true, ...access('metrics') },
    })
    .use(otherMethods('/openapi', ['GET', 'HEAD']))
    .use(embeddedFiles(FILES, 'metrics'))
}
