import { createApp, createEngine } from './app'
import { usage } from './config/help'
import { ConfigError, loadConfig, type LoadReport } from './config/load'
import { changedSettings, printConfig } from './config/print'
import type { Config } from './config/schema'
import { healthCheck } from './health-check'
import { createLogger } from './log/logger'
import { Persistence, PersistenceError } from './persistence'
import type { DirectoryLock } from './persistence/dir-lock'
import { Readiness } from './readiness'
import { applyReload } from './reload'
import { ListenError, drain, listen } from './server'
import { handleSignals } from './signals'
import { formatSize } from './units/size'
import { VERSION } from './version'

// Entry point of the binary: parse the configuration, run the command or start serving, stop cleanly on signals.

const argv = process.argv.slice(2)

/** A fatal error: one JSON line, like every other line fastcache writes to stderr, then exit. */
function fail(message: string, status: number): never {
  createLogger('error').error(message)
  process.exit(status)
}

function load() {
  try {
    return loadConfig(argv, process.env)
  } catch (error) {
    if (error instanceof ConfigError) {
      for (const warning of error.warnings) createLogger('warn').warn(warning)
      fail(error.message, 2)
    }
    throw error
  }
}

/**
 * Takes the data directory's lock, listens (so /health answers while data loads), loads the data,
 * then serves. (A function: the bytecode build allows no top-level await.)
 */
async function start(startConfig: Config, report: LoadReport): Promise<void> {
  let config = startConfig
  const logger = createLogger(config.logLevel)
  for (const warning of report.warnings) logger.warn(warning)
  const engine = createEngine(config)
  let lock: DirectoryLock | undefined
  if (config.persistence !== null) {
    try {
      lock = Persistence.lock(config.persistence.dir)
    } catch (error) {
      fail((error as Error).message, 1)
    }
  }
  const readiness = new Readiness([
    ...(config.persistence === null ? [] : ['data' as const]),
    ...(config.tier === null ? [] : ['redis' as const]),
  ])
  const app = createApp(config, { logger, engine, readiness })

  let server: ReturnType<typeof listen>
  try {
    server = listen(app, config)
  } catch (error) {
    if (error instanceof ListenError) fail(error.message, 1)
    throw error
  }
  const address = `${config.tls === null ? 'http' : 'https'}://${server.hostname}:${server.port}`

  let stopping = false
  handleSignals(logger, {
    async stop(signal) {
      if (stopping) return
      stopping = true
      logger.info('stopping', { signal })
      await drain(app, logger)
      const persistence = app.decorator.persistence.current
      if (persistence !== undefined) {
        // The final snapshot: the next start loads one file instead of replaying the journal. Its
        // failure is logged where it happens; the next start loads whatever the disk holds.
        await persistence.close().catch((error) => logger.error('persistence did not stop cleanly', { error: String(error) }))
      }
      logger.info('stopped')
      process.exit(0)
    },
    reload() {
      logger.info('reloading the configuration', { signal: 'SIGHUP' })
      try {
        const next = loadConfig(argv, process.env)
        if (next.kind !== 'run') return
        for (const warning of next.report.warnings) logger.warn(warning)
        config = applyReload(config, next.config, app.decorator.live, logger)
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error
        logger.warn('the configuration was not reloaded; the running settings stay', { reason: error.message })
      }
    },
  })

  if (config.persistence !== null) {
    logger.info('loading the data directory', { address, dir: config.persistence.dir })
    try {
      app.decorator.persistence.current = await Persistence.start(engine, config.persistence, logger, undefined, lock)
    } catch (error) {
      if (error instanceof PersistenceError) fail(error.message, 1)
      fail(`cannot use the data directory ${config.persistence.dir}: ${(error as Error).message}`, 1)
    }
    readiness.done('data')
  }
  const shared = app.decorator.shared
  if (shared !== undefined && config.tier !== null) {
    // First requests should find Redis connected; if it is not there in time, start degraded and keep trying.
    const waitMs = Math.max(config.tier.redisTimeoutMs, 2000)
    if (await shared.ready(waitMs)) readiness.done('redis')
    else {
      logger.warn('Redis is not reachable yet; serving degraded until it is', { waited: `${waitMs / 1000}s` })
      void (async () => {
        while (!(await shared.ready(5000)));
        readiness.done('redis')
        logger.info('Redis reached')
      })()
    }
  }
  logger.info('fastcache started', {
    address,
    version: VERSION,
    access: config.tokens.length > 0 ? `${config.tokens.length} token(s)` : 'open',
    maxMemory: formatSize(config.maxMemoryBytes),
    settings: changedSettings(report),
  })
  logger.debug('effective configuration', JSON.parse(printConfig(report)))
}

/** Runs what the command line asks for; returns the exit status of a command that ends here. */
function run(loaded: ReturnType<typeof load>): number | undefined {
  switch (loaded.kind) {
    case 'help':
      process.stdout.write(usage(VERSION))
      return 0
    case 'version':
      process.stdout.write(`fastcache ${VERSION}\n`)
      return 0
    case 'print-config':
      process.stdout.write(printConfig(loaded.report))
      return 0
    case 'check-config': {
      const logger = createLogger('info')
      for (const warning of loaded.report.warnings) logger.warn(warning)
      logger.info('the configuration is valid')
      return 0
    }
    case 'health-check':
      void healthCheck(loaded.config).then((status) => process.exit(status))
      return undefined
    case 'run':
      void start(loaded.config, loaded.report)
      return undefined
  }
}

const status = run(load())
if (status !== undefined) process.exit(status)
