import { Elysia } from 'elysia'
import uplotScript from 'uplot/dist/uPlot.iife.min.js' with { type: 'file' }
import uplotCss from 'uplot/dist/uPlot.min.css' with { type: 'file' }
import dashboardScript from './dashboard.browser.js' with { type: 'file' }
import dashboardCss from './dashboard.css' with { type: 'file' }
import tokenScript from '../../http/pages/token.browser.js' with { type: 'file' }
import { access } from '../../access/rules'
import { otherMethods } from '../../http/method-not-allowed'
import { jsonResponse } from '../../http/respond'
import { PAGE_REPLIES, embeddedFiles, htmlPage } from '../../http/static-asset'
import { failures, reply } from '../../http/openapi/declare'
import { DataQuery, DataReply } from './model'
import type { PageAccess } from '../../http/pages/token-meta'
import { dashboardPage } from './page'
import type { DashboardService } from './service'

const JS = 'text/javascript; charset=utf-8'
const CSS = 'text/css; charset=utf-8'
const FILES = {
  '/dashboard/uPlot.iife.min.js': { path: uplotScript, contentType: JS },
  '/dashboard/uPlot.min.css': { path: uplotCss, contentType: CSS },
  '/dashboard/dashboard.js': { path: dashboardScript, contentType: JS },
  '/dashboard/dashboard.css': { path: dashboardCss, contentType: CSS },
  '/dashboard/token.js': { path: tokenScript, contentType: JS },
}

/**
 * `GET /dashboard`: a live page of the server's figures, from the binary alone (uPlot charts), and
 * `GET /dashboard/data`, the JSON it polls every second. Admin, like /metrics (open with --public-metrics).
 */
export function dashboardModule(dashboard: DashboardService, pageAccess: PageAccess) {
  // The page and its files hold no data: open to anyone; the figures need admin (unless --public-metrics),
  // and the page asks for a token when they are refused (token.js).
  const page = access('public')
  const rule = access('metrics')
  return new Elysia({ name: 'dashboard' })
    .get('/dashboard', ({ request }) => htmlPage(request, 'dashboard', dashboardPage(pageAccess.dataNeedsToken())), {
      response: PAGE_REPLIES,
      detail: { hide: true, ...page },
    })
    .use(otherMethods('/dashboard', ['GET', 'HEAD']))
    .get('/dashboard/data', ({ query }) => jsonResponse(200, dashboard.data(query.since), { 'cache-control': 'no-store' }), {
      query: DataQuery,
      response: { 200: reply(DataReply, "the dashboard's figures"), ...failures({ 400: ['INVALID_REQUEST'] }) },
      detail: {
        operationId: 'getDashboardData',
        tags: ['observability'],
        summary: "The dashboard's figures: rates per second since `since`, and the state now",
        description: 'Sampling starts with the first call and stops a minute after the last one.',
        ...rule,
      },
    })
    .use(otherMethods('/dashboard/data', ['GET', 'HEAD']))
    .use(embeddedFiles(FILES, 'public'))
}

export { DashboardService } from './service'
