import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { binaryHarness } from '../support/binary'
import { artifact, chromiumAvailable, launchChromium, offlinePage, type Chromium } from '../support/chromium'

const { start, stop } = binaryHarness()

const ADMIN = 'aaaaaaaaaaaaaaaaaaaaaaaa'
const READ = 'rrrrrrrrrrrrrrrrrrrrrrrr'
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']

/** The operations a document declares, as "GET /path". */
function documentedOperations(doc: { paths: Record<string, Record<string, unknown>> }): string[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.keys(item)
      .filter((method) => METHODS.includes(method))
      .map((method) => `${method.toUpperCase()} ${path}`),
  )
}

describe.skipIf(!chromiumAvailable)('the API viewer in headless Chromium with the network cut off', () => {
  let chromium: Chromium
  beforeAll(async () => {
    chromium = await launchChromium()
  }, 30_000)
  afterAll(() => chromium?.close())

  test('asks for a token to read the document, lists every operation, sends a token, and reaches nothing but the server', async () => {
    const server = await start(['--token', `admin:${ADMIN}`, '--token', `read:${READ}`])
    const put = await fetch(`${server.url}/v1/kv/viewer-key`, { method: 'PUT', body: 'x', headers: { authorization: `Bearer ${ADMIN}` } })
    expect(put.status).toBe(201)
    const doc = (await (await fetch(`${server.url}/openapi/json`, { headers: { authorization: `Bearer ${ADMIN}` } })).json()) as {
      paths: Record<string, Record<string, unknown>>
    }
    const expected = documentedOperations(doc)
    expect(expected).toContain('GET /v1/keys')

    const { page, blocked, errors } = await offlinePage(chromium.browser, server.url)
    await page.goto(`${server.url}/openapi`, { waitUntil: 'networkidle0' })
    // The page is open, the document is not: the page asks for a token, then shows the document.
    await page.waitForSelector('form.fastcache-token input')
    await page.type('form.fastcache-token input', ADMIN)
    await page.click('form.fastcache-token button')
    await page.waitForSelector('.opblock')
    const listed = await page.$$eval('.opblock', (blocks) =>
      blocks.map((block) => {
        const method = block.querySelector('.opblock-summary-method')?.textContent ?? ''
        const path = block.querySelector('.opblock-summary-path')?.getAttribute('data-path') ?? ''
        return `${method} ${path}`
      }),
    )
    expect(listed.toSorted()).toEqual(expected.toSorted())

    // Without the token, trying GET /v1/keys is refused; the token pasted into Authorize makes it work.
    const keys = await page.$$('.opblock-get')
    let listKeys: (typeof keys)[number] | undefined
    for (const block of keys) {
      if ((await block.$eval('.opblock-summary-path', (el) => el.getAttribute('data-path'))) === '/v1/keys') listKeys = block
    }
    if (listKeys === undefined) throw new Error('no GET /v1/keys operation on the page')
    await page.click('.btn.authorize')
    await page.waitForSelector('.auth-container input')
    await page.type('.auth-container input', READ)
    await page.click('.auth-btn-wrapper .authorize')
    await page.click('.auth-btn-wrapper .btn-done')
    await (await listKeys.$('.opblock-summary-control'))!.click()
    await page.waitForSelector('.opblock-get .try-out__btn')
    await (await listKeys.$('.try-out__btn'))!.click()
    // Swagger UI may fill the optional limit with 0, which the route refuses: ask for a valid page size.
    const limit = await listKeys.$('tr[data-param-name="limit"] input')
    if (limit !== null) {
      await limit.click()
      await page.keyboard.down('Control')
      await page.keyboard.press('a')
      await page.keyboard.up('Control')
      await page.keyboard.press('Backspace')
      await limit.type('100')
    }
    await (await listKeys.$('.execute'))!.click()
    const status = await listKeys.waitForSelector('.live-responses-table tbody .response-col_status', { timeout: 5000 })
    const reply = await listKeys.$eval('.responses-inner', (el) => el.textContent ?? '')
    expect([await status!.evaluate((el) => el.textContent?.trim()), reply]).toEqual(['200', expect.stringContaining('viewer-key')])
    await page.screenshot({ path: artifact('api-viewer') })

    expect(blocked).toEqual([])
    expect(errors).toEqual([])
    await page.close()
    await stop(server)
  }, 30_000)
})
