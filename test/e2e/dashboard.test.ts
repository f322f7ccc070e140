import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import type { Page } from 'puppeteer-core'
import { binaryHarness } from '../support/binary'
import { artifact, chromiumAvailable, launchChromium, offlinePage, type Chromium } from '../support/chromium'

const { workDir, start, stop } = binaryHarness()

// Functions given to page.evaluate run in the page; tsc knows no DOM here, so its globals are typed loosely.
// biome-ignore lint/suspicious/noExplicitAny: the browser's document, seen from Bun's types.
declare const document: any

const ADMIN = 'aaaaaaaaaaaaaaaaaaaaaaaa'
const CHARTS = ['chart-requests', 'chart-hit-ratio', 'chart-memory', 'chart-items', 'chart-latency']
/** The first series' color of every chart (dashboard.browser.js's palette). */
const FIRST_SERIES = [0x25, 0x63, 0xeb]

/**
 * A short, bounded load on loopback: 4 workers writing new keys, reading them back (and a few
 * absent ones), and reading through the proxy, until `ms` pass or 40,000 requests are sent.
 */
async function load(base: string, ms: number): Promise<number> {
  const headers = { authorization: `Bearer ${ADMIN}` }
  const until = Date.now() + ms
  let sent = 0
  const worker = async (id: number) => {
    for (let i = 0; Date.now() < until && sent < 40_000; i++) {
      const key = `load${id}:${i}`
      await (await fetch(`${base}/v1/kv/${key}`, { method: 'PUT', body: 'v'.repeat(200), headers })).arrayBuffer()
      await (await fetch(`${base}/v1/kv/${i % 7 === 0 ? 'absent' : key}`, { headers })).arrayBuffer()
      await (await fetch(`${base}/proxy/web/page/${i % 20}`, { headers })).arrayBuffer()
      sent += 3
    }
  }
  await Promise.all([0, 1, 2, 3].map(worker))
  return sent
}

const tiles = (page: Page) =>
  page.$$eval('.tile', (all) =>
    Object.fromEntries(all.map((tile) => [tile.querySelector('.label')!.textContent, tile.querySelector('.value')!.textContent])),
  )

/** A tile's number: "1.2k" is 1200, "3.5 MiB" 3.5 MiB. */
function tileNumber(text: string | undefined): number {
  const match = /^([0-9.]+)\s*(k|M|G|B|KiB|MiB|GiB)?/.exec(text ?? '')
  if (match === null) throw new Error(`not a number: ${text}`)
  const scale: Record<string, number> = { k: 1e3, M: 1e6, G: 1e9, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 }
  return Number(match[1]) * (scale[match[2] ?? ''] ?? 1)
}

const updates = (page: Page) => page.$eval('body', (body) => Number(body.dataset.updates ?? 0))

/** Pixels of each chart's canvas near the first series' color: the line is drawn, not only the axes. */
const seriesPixels = (page: Page) =>
  page.evaluate(
    (ids, [r, g, b]) =>
      ids.map((id) => {
        const canvas = document.querySelector(`#${id} canvas`)
        if (canvas === null) return 0
        const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height)
        let near = 0
        for (let i = 0; i < data.length; i += 4) {
          if (data[i + 3]! > 128 && Math.abs(data[i]! - r!) + Math.abs(data[i + 1]! - g!) + Math.abs(data[i + 2]! - b!) < 60) near++
        }
        return near
      }),
    CHARTS,
    FIRST_SERIES,
  )

describe.skipIf(!chromiumAvailable)('the dashboard in headless Chromium, with the network cut off', () => {
  let chromium: Chromium
  let origin: ReturnType<typeof Bun.serve>
  beforeAll(async () => {
    chromium = await launchChromium()
    origin = Bun.serve({
      hostname: '127.0.0.1',
      port: 0,
      fetch: () => new Response('page', { headers: { 'cache-control': 'max-age=60' } }),
    })
  }, 30_000)
  afterAll(async () => {
    await chromium?.close()
    origin?.stop(true)
  })

  test('under a short load, every chart draws its series and the numbers move', async () => {
    const server = await start([
      '--token',
      `admin:${ADMIN}`,
      '--public-metrics',
      '--upstream',
      `web=http://127.0.0.1:${origin.port}`,
      '--data-dir',
      join(workDir, 'dashboard-data'),
    ])
    const { page, blocked, errors } = await offlinePage(chromium.browser, server.url, { width: 1400, height: 1400 })
    await page.goto(`${server.url}/dashboard`)
    await page.waitForFunction(() => Number(document.body.dataset.updates) >= 1, { timeout: 5000 })
    const loading = load(server.url, 5000)
    await page.waitForFunction(() => Number(document.body.dataset.updates) >= 4, { timeout: 8000 })
    const before = await tiles(page)
    const seen = await updates(page)
    await page.waitForFunction((n) => Number(document.body.dataset.updates) >= n, { timeout: 5000 }, seen + 1)
    const after = await tiles(page)
    const sent = await loading
    const snapshot = await fetch(`${server.url}/v1/admin/snapshot`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}` } })
    expect(snapshot.status).toBe(200)
    await page.waitForFunction((n) => Number(document.body.dataset.updates) >= n, { timeout: 5000 }, (await updates(page)) + 1)

    expect(sent).toBeGreaterThan(300)
    expect(tileNumber(after.Items)).toBeGreaterThan(tileNumber(before.Items))
    expect(tileNumber(after['Requests/s'])).toBeGreaterThan(0)
    expect(after['Key hit ratio (10 s)']).toMatch(/^\d+\.\d%$/)
    expect(after['Latency p50 / p99']).toMatch(/ms|µs/)
    expect(after['Memory (of --max-memory)']).not.toBe(before['Memory (of --max-memory)'])

    const pixels = await seriesPixels(page)
    for (const [i, id] of CHARTS.entries()) expect([id, pixels[i]! > 20]).toEqual([id, true])
    const legend = await page.$eval('#chart-hit-ratio', (chart) => chart.textContent ?? '')
    expect(legend).toContain('proxy web')
    const prefixes = await page.$eval('#prefixes-count', (table) => table.textContent ?? '')
    expect(prefixes).toContain('load0:')
    expect(await page.$eval('#persistence', (table) => table.textContent ?? '')).toMatch(
      /last snapshot\d+ s ago.*snapshot size[0-9.]+ (KiB|MiB)/,
    )

    await page.screenshot({ path: artifact('dashboard'), fullPage: true })
    expect(blocked).toEqual([])
    expect(errors).toEqual([])
    await page.close()
    await stop(server)
  }, 40_000)

  test('with tokens on and the figures closed, the page asks for a token first, then polls with it', async () => {
    const server = await start(['--token', `admin:${ADMIN}`])
    const { page, blocked, errors } = await offlinePage(chromium.browser, server.url)
    await page.goto(`${server.url}/dashboard`)
    await page.waitForSelector('form.fastcache-token input')
    expect(await updates(page)).toBe(0)
    await page.type('form.fastcache-token input', ADMIN)
    await page.click('form.fastcache-token button')
    await page.waitForFunction(() => Number(document.body.dataset.updates) >= 2, { timeout: 5000 })
    expect(await page.$('form.fastcache-token')).toBeNull()
    // Asked before the first poll, so the browser saw no refusal to log.
    expect(blocked).toEqual([])
    expect(errors).toEqual([])
    await page.close()
    await stop(server)
  }, 20_000)
})
