import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import puppeteer, { type Browser, type Page } from 'puppeteer-core'
import { root } from './binary'

/**
 * Debian's headless Chromium, driven by puppeteer-core (no browser of its own is downloaded), for
 * the tests of the pages the server serves. Without /usr/bin/chromium those tests are skipped with
 * one line saying why, unless FASTCACHE_REQUIRE_CHROMIUM is set (CI sets it and installs Chromium),
 * which makes the absence a failure.
 */
export const CHROMIUM = '/usr/bin/chromium'
export const chromiumAvailable = existsSync(CHROMIUM)
if (!chromiumAvailable) {
  if (process.env.FASTCACHE_REQUIRE_CHROMIUM)
    throw new Error(`${CHROMIUM} is not installed, and FASTCACHE_REQUIRE_CHROMIUM says the browser tests must run`)
  console.warn(`browser tests skipped: ${CHROMIUM} is not installed (apt-get install chromium; CI sets FASTCACHE_REQUIRE_CHROMIUM)`)
}

/** Screenshots of each run go here (ignored by git). */
export const ARTIFACTS = join(root, 'test/artifacts')

export interface Chromium {
  browser: Browser
  close(): Promise<void>
}

export async function launchChromium(): Promise<Chromium> {
  const profile = mkdtempSync(join(tmpdir(), 'fastcache-chromium-'))
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--user-data-dir=${profile}`,
    ],
  })
  return {
    browser,
    async close() {
      await browser.close().catch(() => {})
      browser.process()?.kill('SIGKILL')
      rmSync(profile, { recursive: true, force: true })
    },
  }
}

export interface OfflinePage {
  page: Page
  /** Requests the page tried to send anywhere but the server (each was failed). */
  blocked: string[]
  /** Console errors and uncaught exceptions. */
  errors: string[]
}

/** Not network requests: the page's own data and blob URLs. */
const LOCAL_SCHEMES = ['data:', 'blob:']

/**
 * A page with the network cut off: a request to any origin but `origin` fails as if offline, and is
 * recorded, so a test can require both that the page works and that it tried nothing else.
 */
export async function offlinePage(browser: Browser, origin: string, viewport = { width: 1280, height: 900 }): Promise<OfflinePage> {
  const page = await browser.newPage()
  await page.setViewport(viewport)
  const blocked: string[] = []
  const errors: string[] = []
  await page.setRequestInterception(true)
  page.on('request', (request) => {
    const url = request.url()
    if (LOCAL_SCHEMES.some((scheme) => url.startsWith(scheme)) || new URL(url).origin === origin) {
      void request.continue()
      return
    }
    blocked.push(url)
    void request.abort('internetdisconnected')
  })
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text())
  })
  page.on('pageerror', (error) => errors.push(String(error)))
  return { page, blocked, errors }
}

/** Where a screenshot of this run goes: `test/artifacts/<name>.png`. */
export function artifact(name: string): `${string}.png` {
  mkdirSync(ARTIFACTS, { recursive: true })
  return join(ARTIFACTS, `${name}.png`) as `${string}.png`
}
