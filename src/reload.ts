import { TokenVerifier } from './access/tokens'
import type { Config } from './config/schema'
import type { LiveSettings } from './live-settings'
import type { AdjustableLogger } from './log/logger'

/** What SIGHUP applies while the server runs; everything else needs a restart. */
const LIVE_KEYS = ['tokens', 'logLevel', 'accessLog'] as const satisfies readonly (keyof Config)[]

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b)

/**
 * Applies a configuration read again on SIGHUP: tokens (from every source: a token file or config
 * file may have changed), the log level and the access log take effect at once. Settings that need
 * a restart are named in a warning and left as they run. Returns the configuration now in effect.
 * Loading (and its errors) is the caller's: an invalid configuration never reaches here.
 */
export function applyReload(running: Config, next: Config, live: LiveSettings, logger: AdjustableLogger): Config {
  const changed = LIVE_KEYS.filter((key) => !same(running[key], next[key]))
  if (changed.includes('tokens')) live.tokens = new TokenVerifier(next.tokens)
  if (changed.includes('accessLog')) live.accessLog = next.accessLog
  if (changed.includes('logLevel')) logger.level = next.logLevel
  const needRestart = (Object.keys(next) as (keyof Config)[]).filter(
    (key) => !(LIVE_KEYS as readonly string[]).includes(key) && !same(running[key], next[key]),
  )
  logger.info('configuration reloaded', {
    changed,
    ...(changed.includes('tokens') ? { tokens: next.tokens.length } : {}),
    ...(changed.includes('logLevel') ? { logLevel: next.logLevel } : {}),
    ...(changed.includes('accessLog') ? { accessLog: next.accessLog } : {}),
  })
  if (needRestart.length > 0)
    logger.warn('these settings changed but take effect only after a restart; they run as before', { settings: needRestart })
  const applied: Config = { ...running, tokens: next.tokens, logLevel: next.logLevel, accessLog: next.accessLog }
  return applied
}
