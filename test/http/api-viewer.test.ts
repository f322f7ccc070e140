import { describe, expect, test } from 'bun:test'
import { gunzipSync } from 'node:zlib'
import { testApp } from '../support/app'

const ADMIN = 'aaaaaaaaaaaaaaaaaaaaaaaa'
const tokens = [{ scope: 'admin' as const, secret: ADMIN }]
const ASSETS = [
  '/openapi/swagger-ui.css',
  '/openapi/swagger-ui-bundle.js',
  '/openapi/viewer.js',
  '/openapi/token.js',
  '/openapi/swagger-ui-bundle.js.LICENSE.txt',
]

describe('GET /openapi: the API viewer from the binary', () => {
  test('the page loads only files this server serves, under a policy that allows no other origin', async () => {
    const { call } = testApp()
    const page = await call('GET', '/openapi')
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8')
    const policy = page.headers.get('content-security-policy')!
    expect(policy).toContain("default-src 'none'")
    expect(policy).toContain("script-src 'self'")
    expect(policy).toContain("connect-src 'self'")
    const loaded = [...page.text.matchAll(/(?:src|href)="([^"]*)"/g)].map((match) => match[1]!)
    expect(loaded.toSorted()).toEqual([
      'data:,',
      'openapi/swagger-ui-bundle.js',
      'openapi/swagger-ui.css',
      'openapi/token.js',
      'openapi/viewer.js',
    ])
    for (const path of loaded.filter((src) => src.startsWith('openapi/'))) expect((await call('GET', `/${path}`)).status).toBe(200)
    expect(page.text).not.toMatch(/https?:\/\//)
  })

  test('the page says whether tokens are on, so the viewer offers a place to paste one', async () => {
    expect((await testApp().call('GET', '/openapi')).text).toContain('<meta name="fastcache-tokens" content="off">')
    const withTokens = testApp({ tokens, publicMetrics: true })
    expect((await withTokens.call('GET', '/openapi')).text).toContain('<meta name="fastcache-tokens" content="on">')
  })

  test('the page says whether the document needs a token, so it asks before reading it rather than after a refusal', async () => {
    const needs = async (options: Parameters<typeof testApp>[0]) =>
      /<meta name="fastcache-token" content="([\w-]+)">/.exec((await testApp(options).call('GET', '/openapi')).text)?.[1]
    expect(await needs({})).toBe('not-needed')
    expect(await needs({ tokens })).toBe('needed')
    expect(await needs({ tokens, publicMetrics: true })).toBe('not-needed')
  })

  test('its files are the pinned packages, gzipped when the client accepts it, and revalidated by ETag', async () => {
    const { app } = testApp()
    const bundle = await Bun.file('node_modules/swagger-ui-dist/swagger-ui-bundle.js').bytes()
    const get = (headers: Record<string, string> = {}) =>
      app.handle(new Request('http://localhost/openapi/swagger-ui-bundle.js', { headers }))
    const plain = await get()
    expect(plain.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    expect(plain.headers.get('content-encoding')).toBeNull()
    expect(new Uint8Array(await plain.arrayBuffer())).toEqual(bundle)
    const zipped = await get({ 'accept-encoding': 'gzip, deflate, br' })
    expect(zipped.headers.get('content-encoding')).toBe('gzip')
    const zippedBytes = new Uint8Array(await zipped.arrayBuffer())
    expect(zippedBytes.byteLength).toBeLessThan(bundle.byteLength / 2)
    expect(new Uint8Array(gunzipSync(zippedBytes))).toEqual(bundle)
    expect((await get({ 'accept-encoding': 'gzip;q=0, identity' })).headers.get('content-encoding')).toBeNull()
    const etag = plain.headers.get('etag')!
    expect(etag).toMatch(/^"[0-9a-z]+"$/)
    const revalidated = await get({ 'if-none-match': etag })
    expect(revalidated.status).toBe(304)
    expect(await revalidated.text()).toBe('')
    expect((await get({ 'if-none-match': '"other"' })).status).toBe(200)
  })

  test('the page and its files hold no data and are open; the document needs admin, or nothing with --public-metrics', async () => {
    const locked = testApp({ tokens })
    const open = testApp({ tokens, publicMetrics: true })
    const admin = { authorization: `Bearer ${ADMIN}` }
    for (const path of ['/openapi', ...ASSETS]) {
      expect([path, (await locked.call('GET', path)).status]).toEqual([path, 200])
      expect([path, (await open.call('POST', path, { headers: admin })).status]).toEqual([path, 405])
    }
    expect((await locked.call('GET', '/openapi/json')).status).toBe(401)
    expect((await locked.call('GET', '/openapi/json', { headers: admin })).status).toBe(200)
    expect((await open.call('GET', '/openapi/json')).status).toBe(200)
  })

  test('at /openapi/ its relative links would miss: redirected to /openapi', async () => {
    const slash = await testApp().call('GET', '/openapi/')
    expect(slash.status).toBe(308)
    expect(new URL(slash.headers.get('location')!, 'http://h/openapi/').pathname).toBe('/openapi')
  })

  test('the viewer is not an operation of the document it shows; the document is still served', async () => {
    const doc = (await testApp().call('GET', '/openapi/json')).json
    // The document describes itself; the viewer page and its files are not operations.
    expect(Object.keys(doc.paths).filter((path) => path.startsWith('/openapi'))).toEqual(['/openapi/json'])
  })
})
