import { describe, expect, test } from 'bun:test'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { binaryHarness, serverEnv, type Server } from '../support/binary'
import { freePort, redisAvailable, startRedis } from '../support/redis'
import { IGNORED_SIGNALS } from '../../src/signals'

// What an operator sees and does: the commands, the start line, reloads and signals, readiness,
// and that no secret ever shows in anything fastcache writes or serves.
const { workDir, start, stop, runToExit } = binaryHarness()

const SECRETS = {
  flag: 'flag-secret-000000000001',
  env: 'env-secret-0000000000001',
  file: 'file-secret-000000000001',
  tokenFile: 'tokenfile-secret-0000001',
  redis: 'redis-password-000000001',
  replaced: 'reloaded-secret-00000001',
}

function files() {
  const dir = mkdtempSync(join(workDir, 'operator-'))
  const tokenFile = join(dir, 'tokens')
  const config = join(dir, 'fastcache.json')
  writeFileSync(tokenFile, `# tokens\nadmin:${SECRETS.tokenFile}\n`)
  writeFileSync(config, JSON.stringify({ tokens: [`read:${SECRETS.file}`], maxBatch: 50 }))
  return { dir, tokenFile, config }
}

/** Every secret source at once: a flag, a variable, the config file, a token file. */
function secretArgs(paths: { tokenFile: string; config: string }) {
  return {
    args: ['--token', `write:${SECRETS.flag}`, '--config', paths.config, '--token-file', paths.tokenFile],
    env: { ...serverEnv, FASTCACHE_TOKENS: `read:${SECRETS.env}` },
  }
}

const leaked = (text: string) => Object.values(SECRETS).filter((secret) => text.includes(secret))
const asAdmin = { authorization: `Bearer ${SECRETS.tokenFile}` }

describe('no secret in anything fastcache writes or serves', () => {
  test('start errors, --help, --print-config, --check-config, a start, pages, a reload and a stop, with secrets from every source', async () => {
    const paths = files()
    const { args, env } = secretArgs(paths)
    const outputs: string[] = []
    // Start errors with valid secrets beside the bad value, from each source.
    for (const bad of [
      ['--max-memory', 'lots'],
      ['--token', 'write:short'],
      ['--redis', `http://u:${SECRETS.redis}@h:1`],
      // Malformed Redis URLs: the password becomes a port or a path unless the URL is refused whole.
      ['--redis', `redis://u:${SECRETS.redis}@127.0.0.1:notaport`],
      ['--redis', `redis://u:x/${SECRETS.redis}@127.0.0.1:6379`],
      ['--redis', `redis://u:x#${SECRETS.redis}@127.0.0.1:6379`],
      ['--upstream', `api=http://u:x/${SECRETS.redis}@127.0.0.1:notaport`],
      ['--host', '0.0.0.0x'],
    ]) {
      const run = await runToExit([...args, ...bad], { env })
      expect(run.exitCode).toBe(2)
      outputs.push(run.stdout, run.stderr)
    }
    const badEnv = await runToExit(args, { env: { ...env, FASTCACHE_TOKENS: `admin:${SECRETS.env},write:short` } })
    expect(badEnv.exitCode).toBe(2)
    outputs.push(badEnv.stderr)
    for (const command of ['--help', '--print-config', '--check-config']) {
      const run = await runToExit([...args, command], { env })
      expect([command, run.exitCode]).toEqual([command, 0])
      outputs.push(run.stdout, run.stderr)
    }
    const printed = JSON.parse((await runToExit([...args, '--print-config'], { env })).stdout)
    expect(printed.tokens.source).toBe('flag')
    expect(printed.tokens.value[0]).toMatch(/^write:…[0-9a-f]{8}$/)
    expect(printed.maxBatch).toEqual({ value: 50, source: 'file' })

    const server = await start([...args, '--access-log', '--log-level', 'debug'], { env })
    // The start line lists what differs from the defaults, secrets masked.
    expect(Object.keys(server.startLog.settings as object)).toEqual(
      expect.arrayContaining(['tokens', 'tokenFile', 'config', 'accessLog', 'logLevel', 'port']),
    )
    for (const path of ['/metrics', '/v1/stats', '/openapi/json', '/health', '/health/ready']) {
      const page = await fetch(`${server.url}${path}`, { headers: asAdmin })
      expect([path, page.status]).toEqual([path, 200])
      outputs.push(await page.text())
    }
    await fetch(`${server.url}/v1/kv/k`, { headers: { authorization: 'Bearer not-a-token-at-all' } })
    await fetch(`${server.url}/v1/kv/k`, { method: 'PUT', body: 'x', headers: { authorization: `Bearer ${SECRETS.env}` } })
    writeFileSync(paths.tokenFile, `admin:${SECRETS.replaced}\n`)
    server.proc.kill('SIGHUP')
    await server.nextLine((line) => line.message === 'configuration reloaded')
    expect(await stop(server)).toBe(0)
    outputs.push(await server.closed)
    expect(leaked(outputs.join('\n'))).toEqual([])
  })

  test('a Redis URL with a password is masked in the start line and in every Redis error logged', async () => {
    const port = freePort()
    const server = await start([
      '--redis',
      `redis://user:${SECRETS.redis}@127.0.0.1:${port}`,
      '--redis-timeout',
      '100ms',
      '--log-level',
      'debug',
    ])
    expect((server.startLog.settings as { redis: string }).redis).toBe(`redis://user:***@127.0.0.1:${port}`)
    await fetch(`${server.url}/v1/kv/k`, { method: 'PUT', body: 'x' })
    // At debug level every failed connection attempt is logged: none may carry the password.
    await server.nextLine((line) => line.message === 'Redis error')
    expect(await stop(server)).toBe(0)
    const output = await server.closed
    expect(output).toContain('effective configuration')
    expect(leaked(output)).toEqual([])
  })
})

describe('commands', () => {
  test('--check-config exits 0 for a valid configuration and 2 with one JSON line for an invalid one', async () => {
    const ok = await runToExit(['--check-config', '--port', '8080'])
    expect(ok.exitCode).toBe(0)
    expect(JSON.parse(ok.stderr.trim()).message).toBe('the configuration is valid')
    const bad = await runToExit(['--check-config', '--port', 'x'])
    expect(bad.exitCode).toBe(2)
    expect(bad.stderr.trim().split('\n')).toHaveLength(1)
    expect(JSON.parse(bad.stderr).message).toStartWith('--port: expected an integer')
  })

  test('an unknown FASTCACHE_ variable is warned about at start with the nearest known name', async () => {
    const server = await start([], { env: { ...serverEnv, FASTCACHE_MAX_MEMROY: '1gb' } })
    const warning = server.earlierLines.map((line) => JSON.parse(line)).find((line) => line.level === 'warn')
    expect(warning.message).toBe('unknown variable FASTCACHE_MAX_MEMROY is ignored (did you mean FASTCACHE_MAX_MEMORY?)')
    expect(await stop(server)).toBe(0)
  })
})

describe('signals and reloads', () => {
  test('SIGHUP reloads tokens from the token file; an invalid file is refused and the running tokens stay', async () => {
    const paths = files()
    const server = await start(['--token-file', paths.tokenFile])
    const get = (secret: string) =>
      fetch(`${server.url}/v1/stats`, { headers: { authorization: `Bearer ${secret}` } }).then((r) => r.status)
    expect(await get(SECRETS.tokenFile)).toBe(200)
    writeFileSync(paths.tokenFile, `admin:${SECRETS.replaced}\n`)
    server.proc.kill('SIGHUP')
    const reloaded = await server.nextLine((line) => line.message === 'configuration reloaded')
    expect(reloaded.changed).toEqual(['tokens'])
    expect([await get(SECRETS.tokenFile), await get(SECRETS.replaced)]).toEqual([401, 200])
    writeFileSync(paths.tokenFile, 'admin:short\n')
    server.proc.kill('SIGHUP')
    const refused = await server.nextLine((line) => line.level === 'warn')
    expect(refused.message).toBe('the configuration was not reloaded; the running settings stay')
    expect(await get(SECRETS.replaced)).toBe(200)
    expect(await stop(server)).toBe(0)
    expect(leaked(await server.closed)).toEqual([])
  })

  test('every catchable signal that would end the process is logged; HUP reloads, QUIT stops cleanly', async () => {
    const server = await start([])
    for (const signal of IGNORED_SIGNALS) {
      server.proc.kill(signal)
      const line = await server.nextLine((logged) => logged.message === 'signal ignored')
      expect(line.signal).toBe(signal)
      expect((await fetch(`${server.url}/health`)).status).toBe(200)
    }
    // SIGSTKFLT (which Bun cannot catch) and SIGPWR (which the JavaScript engine keeps) do not end it either.
    for (const signal of ['SIGSTKFLT', 'SIGPWR'] as const) {
      server.proc.kill(signal)
      await Bun.sleep(100)
      expect([signal, (await fetch(`${server.url}/health`)).status]).toEqual([signal, 200])
    }
    server.proc.kill('SIGHUP')
    await server.nextLine((line) => line.message === 'configuration reloaded')
    expect(await stop(server, 'SIGQUIT')).toBe(0)
    const lines = (await server.closed)
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line))
    expect(lines.at(-2)).toMatchObject({ message: 'stopping', signal: 'SIGQUIT' })
    expect(lines.at(-1)).toMatchObject({ message: 'stopped' })
  })
})

describe('readiness', () => {
  test.skipIf(!redisAvailable)(
    'with a shared tier, /health/ready is 503 until Redis has been reached, then 200',
    async () => {
      const port = freePort()
      const server: Server = await start(['--redis', `redis://127.0.0.1:${port}`, '--redis-timeout', '100ms'])
      const ready = () => fetch(`${server.url}/health/ready`).then(async (r) => [r.status, await r.json()] as const)
      expect(await ready()).toEqual([503, { status: 'starting', waitingFor: ['redis'] }])
      const redis = await startRedis([], port)
      try {
        const deadline = Date.now() + 15_000
        while ((await ready())[0] !== 200) {
          if (Date.now() > deadline) throw new Error('never ready')
          await Bun.sleep(100)
        }
        expect(await ready()).toEqual([200, { status: 'ready' }])
        expect(await stop(server)).toBe(0)
      } finally {
        await redis.dispose()
      }
    },
    30_000,
  )
})
