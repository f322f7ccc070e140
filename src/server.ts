import type { App } from './app'
import type { Config } from './config/schema'
import type { Logger } from './log/logger'

/** In-flight requests get this long to finish after SIGTERM or SIGINT. */
const DRAIN_TIMEOUT_MS = 10_000

export class ListenError extends Error {}

/** Bun's own cap on a request body (128 MiB by default); routes enforce tighter limits themselves. */
const requestBodyLimit = (config: Config) => Math.max(128 * 1024 * 1024, config.maxValueBytes * 2 + 1024 * 1024)

/**
 * Listens on the configured address. reusePort stays off so a second instance on the same port
 * fails here instead of silently sharing it.
 */
export function listen(app: App, config: Config) {
  try {
    app.listen({ hostname: config.host, port: config.port, reusePort: false, maxRequestBodySize: requestBodyLimit(config) })
  } catch (error) {
    const code = (error as { code?: string }).code
    const reason = code === 'EADDRINUSE' ? 'the address is already in use (is another fastcache running?)' : (error as Error).message
    throw new ListenError(`cannot listen on ${config.host}:${config.port}: ${reason}`)
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
