import { createApp, createEngine } from './app'
import { Persistence, PersistenceError } from './persistence'
import { usage } from './config/help'
import { healthCheck } from './health-check'
import { ConfigError, loadConfig } from './config/load'
import type { Config } from './config/schema'
import { createLogger } from './log/logger'
import { ListenError, drain, listen } from './server'
import { formatSize } from './units/size'
import { VERSION } from './version'

// Entry point of the binary: parse the configuration, start serving, stop cleanly on signals.

function fail(message: string, status: number): never {
  process.stderr.write(`fastcache: ${message}\n`)
  process.exit(status)
}

let loaded
try {
  loaded = loadConfig(process.argv.slice(2), process.env)
} catch (error) {
  if (error instanceof ConfigError) fail(error.message, 2)
  throw error
}
if (loaded.kind === 'help') {
  process.stdout.write(usage(VERSION))
  process.exit(0)
}
if (loaded.kind === 'version') {
  process.stdout.write(`fastcache ${VERSION}\n`)
  process.exit(0)
}

/** Loads persisted data when asked to, then listens. (A function: the bytecode build allows no top-level await.) */
async function start(config: Config): Promise<void> {
  const logger = createLogger(config.logLevel)
  const engine = createEngine(config)
  let persistence: Persistence | undefined
  if (config.persistence !== null) {
    try {
      persistence = await Persistence.start(engine, config.persistence, logger)
    } catch (error) {
      if (error instanceof PersistenceError) fail(error.message, 1)
      fail(`cannot use the data directory ${config.persistence.dir}: ${(error as Error).message}`, 1)
    }
  }
  const app = createApp(config, { logger, engine, persistence })
  const shared = app.decorator.shared
  if (shared !== undefined && config.tier !== null) {
    // First requests should find Redis connected; if it is not there in time, start degraded and keep trying.
    const waitMs = Math.max(config.tier.redisTimeoutMs, 2000)
    if (!(await shared.ready(waitMs))) logger.warn('Redis is not reachable yet; serving degraded until it is', { waitedMs: waitMs })
  }

  let server
  try {
    server = listen(app, config)
  } catch (error) {
    if (error instanceof ListenError) fail(error.message, 1)
    throw error
  }
  logger.info('fastcache started', {
    address: `${config.tls === null ? 'http' : 'https'}://${server.hostname}:${server.port}`,
    access: config.tokens.length > 0 ? `${config.tokens.length} token(s)` : 'open',
    maxMemory: formatSize(config.maxMemoryBytes),
    version: VERSION,
  })

  let stopping = false
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, async () => {
      if (stopping) return
      stopping = true
      logger.info('stopping', { signal })
      await drain(app, logger)
      if (persistence !== undefined) {
        // The final snapshot: the next start loads one file instead of replaying the journal. Its
        // failure is logged where it happens; the next start loads whatever the disk holds.
        await persistence.close().catch((error) => logger.error('persistence did not stop cleanly', { error: String(error) }))
      }
      logger.info('stopped')
      process.exit(0)
    })
  }
}

if (loaded.kind === 'health-check') void healthCheck(loaded.config).then((status) => process.exit(status))
else void start(loaded.config)
