import { describe, expect, test } from 'bun:test'
import { mkdtempSync, readFileSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { binary, binaryHarness, root, serverEnv } from '../support/binary'

// The Dockerfile's HEALTHCHECK, run exactly as written against the binary, with and without TLS; and,
// where a Docker engine runs, the image itself until Docker reports it healthy.
const { start, stop } = binaryHarness()
const tlsDir = join(import.meta.dir, '../fixtures/tls')
const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8')

/** The exec-form command of the Dockerfile's HEALTHCHECK instruction (continuation lines joined). */
function healthCheckCommand(): string[] {
  const instruction = /^HEALTHCHECK\b(?:[^\n]*\\\n)*[^\n]*/m.exec(dockerfile)?.[0].replace(/\\\n/g, ' ')
  const command = instruction && /\bCMD\s+(\[.*\])\s*$/.exec(instruction)?.[1]
  if (!command) throw new Error('the Dockerfile has no HEALTHCHECK with an exec-form CMD')
  return JSON.parse(command) as string[]
}

// The command names the binary as the image installs it (on PATH as `fastcache`): put this build there.
const pathDir = mkdtempSync(join(tmpdir(), 'fastcache-path-'))
symlinkSync(binary, join(pathDir, 'fastcache'))

function runHealthCheck(env: Record<string, string>) {
  const [command, ...args] = healthCheckCommand()
  return Bun.spawnSync([command!, ...args], { env: { PATH: `${pathDir}:${process.env.PATH}`, ...env }, stdout: 'pipe', stderr: 'pipe' })
}

describe("the Dockerfile's HEALTHCHECK", () => {
  test('passes against a running server, fails with one JSON line once it stops', async () => {
    const server = await start()
    expect(runHealthCheck({ FASTCACHE_PORT: String(server.port) }).exitCode).toBe(0)
    expect(await stop(server)).toBe(0)
    const failed = runHealthCheck({ FASTCACHE_PORT: String(server.port) })
    expect(failed.exitCode).toBe(1)
    const lines = failed.stderr.toString().trim().split('\n')
    expect(lines.length).toBe(1)
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'error', message: 'health check failed' })
  })

  test('passes with TLS on, given by variables (seen by the check) or by arguments (not seen: it falls back to HTTPS)', async () => {
    const tlsEnv = { FASTCACHE_TLS_CERT: join(tlsDir, 'cert.pem'), FASTCACHE_TLS_KEY: join(tlsDir, 'key.pem') }
    const byEnv = await start([], { env: { ...serverEnv, ...tlsEnv } })
    expect(byEnv.url).toStartWith('https://')
    expect(runHealthCheck({ FASTCACHE_PORT: String(byEnv.port), ...tlsEnv }).exitCode).toBe(0)
    expect(await stop(byEnv)).toBe(0)
    const byArgs = await start(['--tls-cert', tlsEnv.FASTCACHE_TLS_CERT, '--tls-key', tlsEnv.FASTCACHE_TLS_KEY])
    expect(runHealthCheck({ FASTCACHE_PORT: String(byArgs.port) }).exitCode).toBe(0)
    expect(await stop(byArgs)).toBe(0)
  })
})

const dockerEngine = Bun.spawnSync(['docker', 'info'], { stdout: 'ignore', stderr: 'ignore' }).exitCode === 0

describe('the image', () => {
  test('builds, starts and reports healthy (where a Docker engine runs)', async () => {
    if (!dockerEngine) {
      console.log('docker: no Docker engine on this machine (docker info failed); the image was not built or started')
      return
    }
    const tag = `fastcache-e2e:${process.pid}`
    const build = Bun.spawnSync(['docker', 'build', '-t', tag, root], { stdout: 'inherit', stderr: 'inherit' })
    expect(build.exitCode).toBe(0)
    const run = Bun.spawnSync(['docker', 'run', '-d', '--health-interval', '1s', tag, '--allow-unauthenticated'], { stdout: 'pipe' })
    const container = run.stdout.toString().trim()
    try {
      let health = ''
      for (let i = 0; i < 60 && health !== 'healthy'; i++) {
        await Bun.sleep(1000)
        health = Bun.spawnSync(['docker', 'inspect', '-f', '{{.State.Health.Status}}', container], { stdout: 'pipe' })
          .stdout.toString()
          .trim()
      }
      expect(health).toBe('healthy')
    } finally {
      Bun.spawnSync(['docker', 'rm', '-f', container])
      Bun.spawnSync(['docker', 'rmi', '-f', tag])
    }
  }, 600_000)
})
