import { TokenVerifier } from './access/tokens'
import type { Config } from './config/schema'

/**
 * The settings SIGHUP can change while the server runs (with the logger's level). Everything that
 * uses them reads them here on each request instead of keeping a copy from the start.
 */
export class LiveSettings {
  tokens: TokenVerifier
  accessLog: boolean

  constructor(config: Pick<Config, 'tokens' | 'accessLog'>) {
    this.tokens = new TokenVerifier(config.tokens)
    this.accessLog = config.accessLog
  }
}
