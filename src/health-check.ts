import type { Config } from './config/schema'
import { createLogger } from './log/logger'

/** Docker's HEALTHCHECK gives the whole check 3 s; the answer must come well within that. */
const TIMEOUT_MS = 2000

/** A wildcard listen address is reached on loopback. */
function reachableHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1'
  if (host === '::' || host === '[::]') return '[::1]'
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host
}

async function answers(url: string): Promise<number> {
  // The certificate names the service, not the loopback address asked here.
  const response = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS), tls: { rejectUnauthorized: false } } as RequestInit)
  await response.body?.cancel()
  return response.status
}

/**
 * `fastcache --health-check`: GET /health on the server the configuration describes (its port from
 * flags, FASTCACHE_* variables or the config file, as the server reads them). TLS is used when the
 * configuration has it, and tried when plain HTTP gets no HTTP answer (the server may have been
 * given --tls-cert on a command line this check does not see). Returns the exit status.
 */
export async function healthCheck(config: Config): Promise<number> {
  const address = `${reachableHost(config.host)}:${config.port}`
  const schemes = config.tls === null ? ['http', 'https'] : ['https']
  let failure = ''
  for (const scheme of schemes) {
    try {
      const status = await answers(`${scheme}://${address}/health`)
      if (status === 200) return 0
      failure = `GET ${scheme}://${address}/health answered ${status}`
      break
    } catch (error) {
      failure = `GET ${scheme}://${address}/health failed: ${(error as Error).message}`
    }
  }
  createLogger('error').error('health check failed', { reason: failure })
  return 1
}
