/** Structured logs: one JSON object per line on stderr, so they can be shipped and queried as-is. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error'

const SEVERITY: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 }

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void
  info(message: string, fields?: Record<string, unknown>): void
  warn(message: string, fields?: Record<string, unknown>): void
  error(message: string, fields?: Record<string, unknown>): void
  /** True when lines of this level are written (to skip building costly fields). */
  enabled(level: LogLevel): boolean
}

/** A logger whose level can change while it runs (SIGHUP reloads it). */
export interface AdjustableLogger extends Logger {
  level: LogLevel
}

export function createLogger(level: LogLevel, write: (line: string) => void = (line) => process.stderr.write(line)): AdjustableLogger {
  const logger: AdjustableLogger = {
    level,
    enabled: (at) => SEVERITY[at] >= SEVERITY[logger.level],
    debug: (message, fields) => log('debug', message, fields),
    info: (message, fields) => log('info', message, fields),
    warn: (message, fields) => log('warn', message, fields),
    error: (message, fields) => log('error', message, fields),
  }
  const log = (at: LogLevel, message: string, fields?: Record<string, unknown>) => {
    if (SEVERITY[at] < SEVERITY[logger.level]) return
    write(`${JSON.stringify({ level: at, time: new Date().toISOString(), message, ...fields })}\n`)
  }
  return logger
}

/** For tests and embedders that want no output. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {}, enabled: () => false }
