import { readFileSync } from 'node:fs'
import type { App } from './app'
import type { Config } from './config/schema'
import type { Logger } from './log/logger'

/** In-flight requests get this long to finish after SIGTERM or SIGINT. */
const DRAIN_TIMEOUT_MS = 10_000

export class ListenError extends Error {}

/**
 * Listens on the configured address. reusePort stays off so a second instance on the same port
 * fails here instead of silently sharing it.
 */
export function listen(app: App, config: Config) {
  let tls: { cert: string; key: string } | undefined
  if (config.tls !== null) {
    // Read now, so an unreadable file is named; Bun then parses them and says if they are not valid PEM.
    try {
      tls = { cert: readFileSync(config.tls.certFile, 'utf8'), key: readFileSync(config.tls.keyFile, 'utf8') }
    } catch (error) {
      throw new ListenError(`cannot read the TLS files: ${(error as Error).message}`)
    }
  }
  try {
    app.listen({
      hostname: config.host,
      port: config.port,
      reusePort: false,
      // Bun refuses a larger body with 413 from its Content-Length, before reading it.
      maxRequestBodySize: config.maxBodyBytes,
      idleTimeout: config.readTimeoutSeconds,
      tls,
    })
  } catch (error) {
    const code = (error as { code?: string }).code
    const reason = code === 'EADDRINUSE' ? 'the address is already in use (is another fastcache running?)' : (error as Error).message
    const what = tls === undefined ? '' : ' (check --tls-cert and --tls-key: they must be a PEM certificate and its private key)'
    throw new ListenError(`cannot listen on ${config.host}:${config.port}: ${reason}${code === 'EADDRINUSE' ? '' : what}`)
  }
  return app.server!
}

/** Stops accepting connections, lets in-flight requests finish (bounded), then resolves. */
export async function drain(app: App, logger: Logger): Promise<void> {
  const server = app.server
  if (!server) return
  const graceful = server.stop(false)
  const timedOut = await Promise.race([
    graceful.then(() => false),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(true), DRAIN_TIMEOUT_MS).unref()),
  ])
  if (timedOut) {
    logger.warn('in-flight requests did not finish in time; closing connections', { timeoutMs: DRAIN_TIMEOUT_MS })
    await server.stop(true)
  }
}
