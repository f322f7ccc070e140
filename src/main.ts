import { createApp } from './app'
import { usage } from './config/help'
import { ConfigError, loadConfig } from './config/load'
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

const config = loaded.config
const logger = createLogger(config.logLevel)
const app = createApp(config, { logger })

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
    logger.info('stopped')
    process.exit(0)
  })
}
