// Makes sure the external tools exist, installing Debian's packages when one is missing.
import { existsSync, rmSync, writeFileSync } from 'node:fs'
import { run } from './procs'

/** Command -> the Debian package that provides it: what bench:http needs. */
const TOOLS: Record<string, string> = {
  wrk: 'wrk',
  'redis-server': 'redis-server',
  'redis-cli': 'redis-tools',
  webdis: 'webdis',
}

const POLICY = '/usr/sbin/policy-rc.d'

/** Installs the package of every tool in `tools` (command -> Debian package) that is not on PATH; `label` prefixes the message. */
export async function ensureTools(tools: Record<string, string> = TOOLS, label = 'bench:http'): Promise<void> {
  const missing = Object.keys(tools).filter((tool) => Bun.which(tool) === null)
  if (missing.length === 0) return
  const packages = [...new Set(missing.map((tool) => tools[tool]!))]
  process.stderr.write(`${label}: ${missing.join(', ')} missing; installing ${packages.join(' ')} with apt-get\n`)
  // The redis-server, webdis and varnish packages start a system service on install. That daemon would
  // outlive this script, so deny service starts for the install (Debian's policy-rc.d mechanism)
  // unless the machine already has a policy in place.
  const ownPolicy = !existsSync(POLICY)
  if (ownPolicy) writeFileSync(POLICY, `#!/bin/sh\n# ${label}: no service starts during this install\nexit 101\n`, { mode: 0o755 })
  try {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
    try {
      await run(['apt-get', 'install', '-y', '--no-install-recommends', ...packages], { env })
    } catch {
      // A stale or empty package list: refresh once and retry.
      await run(['apt-get', 'update'], { env })
      await run(['apt-get', 'install', '-y', '--no-install-recommends', ...packages], { env })
    }
  } finally {
    if (ownPolicy) rmSync(POLICY, { force: true })
  }
  const still = missing.filter((tool) => Bun.which(tool) === null)
  if (still.length > 0) throw new Error(`still missing after apt-get: ${still.join(', ')}`)
}

/** First line of `cmd --version` style output, for the report. */
export async function versionOf(cmd: string[]): Promise<string> {
  try {
    const child = Bun.spawnSync(cmd, { stdout: 'pipe', stderr: 'pipe' })
    const text = `${child.stdout.toString()}${child.stderr.toString()}`
    return (
      text
        .split('\n')
        .find((line) => line.trim() !== '')
        ?.trim() ?? 'unknown'
    )
  } catch {
    return 'unknown'
  }
}
