import { Elysia } from 'elysia'
import swaggerCss from 'swagger-ui-dist/swagger-ui.css' with { type: 'file' }
import swaggerScript from 'swagger-ui-dist/swagger-ui-bundle.js' with { type: 'file' }
import swaggerNotices from 'swagger-ui-dist/swagger-ui-bundle.js.LICENSE.txt' with { type: 'file' }
import viewerScript from './viewer.browser.js' with { type: 'file' }
import { access } from '../../access/rules'
import { otherMethods } from '../../http/method-not-allowed'
import { htmlPage, staticAsset } from '../../http/static-asset'
import { viewerPage } from './page'

/** The files the page loads, by path; the bundle's own comment points at its notices file beside it. */
const ASSETS = {
  '/openapi/swagger-ui.css': staticAsset({ path: swaggerCss, contentType: 'text/css; charset=utf-8' }),
  '/openapi/swagger-ui-bundle.js': staticAsset({ path: swaggerScript, contentType: 'text/javascript; charset=utf-8' }),
  '/openapi/swagger-ui-bundle.js.LICENSE.txt': staticAsset({ path: swaggerNotices, contentType: 'text/plain; charset=utf-8' }),
  '/openapi/viewer.js': staticAsset({ path: viewerScript, contentType: 'text/javascript; charset=utf-8' }),
}

/**
 * `GET /openapi`: an API viewer (Swagger UI, pinned and carried in the binary) on `/openapi/json`,
 * which works with no network but this server's. Same rule as the document it shows.
 */
export function apiViewerModule(title: string, tokensOn: () => boolean) {
  const rule = access('metrics')
  const app = new Elysia({ name: 'api-viewer' })
    .get('/openapi', () => htmlPage(viewerPage(title, tokensOn())), { detail: { hide: true, ...rule } })
    .use(otherMethods('/openapi', ['GET', 'HEAD']))
  for (const [path, serve] of Object.entries(ASSETS)) {
    // Elysia's route methods add to the instance they are called on.
    app.get(path, ({ request }) => serve(request), { detail: { hide: true, ...rule } }).use(otherMethods(path, ['GET', 'HEAD']))
  }
  return app
}
