/** Structured logs: one JSON object per line on stderr, so they can be shipped and queried as-is. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error'

const SEVERITY: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 }

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void
  info(message: string, fields?: Record<string, unknown>): void
  warn(message: string, fields?: Record<string, unknown>): void
  error(message: string, fields?: Record<string, unknown>): void
}

export function createLogger(level: LogLevel, write: (line: string) => void = (line) => process.stderr.write(line)): Logger {
  const threshold = SEVERITY[level]
  const log = (at: LogLevel) => (message: string, fields?: Record<string, unknown>) => {
    if (SEVERITY[at] < threshold) return
    write(JSON.stringify({ level: at, time: new Date().toISOString(), message, ...fields }) + '\n')
  }
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') }
}

/** For tests and embedders that want no output. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} }
