import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { version } from '../../package.json'
import { DURATION_HINT } from '../../src/units/duration'
import { ConfigError, envName, flagName, loadConfig, type LoadResult } from '../../src/config/load'
import type { Config } from '../../src/config/schema'
import { ENTRY_OVERHEAD_BYTES, MAX_KEY_BYTES } from '../../src/cache'
import { fingerprint } from '../../src/config/mask'
import { printConfig } from '../../src/config/print'
import { ConfigInput } from '../../src/config/schema'

const KB = 1024
const MB = 1024 ** 2
const GB = 1024 ** 3

const DEFAULTS: Config = {
  host: '127.0.0.1',
  port: 7070,
  maxMemoryBytes: 256 * MB,
  maxValueBytes: 1 * MB,
  maxKeyBytes: 512,
  defaultTtlMs: null,
  logLevel: 'info',
  upstreams: [],
  tokens: [],
  allowUnauthenticated: false,
  publicMetrics: false,
  accessLog: false,
  tls: null,
  maxBodyBytes: 8 * MB,
  maxBatch: 1000,
  maxHeaders: 198,
  maxHeaderBytes: 16 * KB,
  readTimeoutSeconds: 30,
  maxConnections: 10_000,
  corsOrigins: [],
  persistence: null,
  tier: null,
}

const TOKEN = 'admin:0123456789abcdef'

type Env = Record<string, string | undefined>

/** A reader that must not be called: loading without --config never touches the filesystem. */
const noFile = (path: string): string => {
  throw new Error(`unexpected read of ${path}`)
}

/** An injected reader that serves one JSON document and records the paths it was asked for. */
function fakeFile(content: unknown) {
  const paths: string[] = []
  const read = (path: string) => {
    paths.push(path)
    return typeof content === 'string' ? content : JSON.stringify(content)
  }
  return { read, paths }
}

/** How a test lets loadConfig read files: an injected reader, or 'disk' for loadConfig's own default reader. */
type Reader = ((path: string) => string) | 'disk'

const load = (argv: string[], env: Env, reader: Reader): LoadResult =>
  reader === 'disk' ? loadConfig(argv, env) : loadConfig(argv, env, reader)

function run(argv: string[], env: Env = {}, reader: Reader = noFile): Config {
  const result = load(argv, env, reader)
  if (result.kind !== 'run') throw new Error(`expected kind "run", got "${result.kind}"`)
  return result.config
}

/** The configuration, or the ConfigError a load throws. */
function attempt(argv: string[]): Config | ConfigError {
  try {
    return run(argv)
  } catch (error) {
    if (error instanceof ConfigError) return error
    throw error
  }
}

/** Runs a load that must fail and returns its ConfigError, checking the message is one line. */
function failure(argv: string[], env: Env = {}, reader: Reader = noFile): ConfigError {
  let caught: unknown
  try {
    load(argv, env, reader)
  } catch (error) {
    caught = error
  }
  expect(caught).toBeInstanceOf(ConfigError)
  const error = caught as ConfigError
  expect(error.message.length).toBeGreaterThan(0)
  expect(error.message).not.toContain('\n')
  return error
}

describe('defaults', () => {
  test('no arguments and no environment give 127.0.0.1:7070 with a 256 MiB cache', () => {
    expect(run([], {})).toEqual(DEFAULTS)
  })

  test('unrelated environment variables are ignored', () => {
    expect(run([], { PATH: '/usr/bin', PORT: '9', HOST: 'example.com', FASTCACHE: 'x' })).toEqual(DEFAULTS)
  })

  test('an empty FASTCACHE_* variable counts as unset', () => {
    expect(run([], { FASTCACHE_PORT: '', FASTCACHE_MAX_MEMORY: '', FASTCACHE_DEFAULT_TTL: '', FASTCACHE_CONFIG: '' })).toEqual(DEFAULTS)
  })
})

describe('flag and variable names', () => {
  test.each([
    ['host', '--host', 'FASTCACHE_HOST'],
    ['port', '--port', 'FASTCACHE_PORT'],
    ['maxMemory', '--max-memory', 'FASTCACHE_MAX_MEMORY'],
    ['maxValueSize', '--max-value-size', 'FASTCACHE_MAX_VALUE_SIZE'],
    ['maxKeySize', '--max-key-size', 'FASTCACHE_MAX_KEY_SIZE'],
    ['defaultTtl', '--default-ttl', 'FASTCACHE_DEFAULT_TTL'],
    ['logLevel', '--log-level', 'FASTCACHE_LOG_LEVEL'],
    ['config', '--config', 'FASTCACHE_CONFIG'],
  ])('%s is %s and %s', (key, flag, variable) => {
    expect(flagName(key)).toBe(flag)
    expect(envName(key)).toBe(variable)
  })
})

describe('flags', () => {
  test('every flag sets its value, in the --flag value form', () => {
    const config = run([
      '--host',
      '0.0.0.0',
      '--port',
      '8080',
      '--max-memory',
      '1gb',
      '--max-value-size',
      '2mb',
      '--max-key-size',
      '1kb',
      '--default-ttl',
      '5m',
      '--log-level',
      'debug',
      '--token',
      TOKEN,
      '--token',
      'read:readreadreadreadread',
      '--allow-unauthenticated',
      '--public-metrics=true',
      '--max-body-size',
      '4mb',
      '--max-batch',
      '50',
      '--max-headers',
      '20',
      '--max-header-size',
      '8kb',
      '--read-timeout',
      '10s',
      '--max-connections',
      '500',
      '--cors-origin',
      'https://app.example.com',
      '--cors-origin',
      'http://localhost:3000',
    ])
    expect(config).toEqual({
      ...DEFAULTS,
      host: '0.0.0.0',
      port: 8080,
      maxMemoryBytes: GB,
      maxValueBytes: 2 * MB,
      maxKeyBytes: KB,
      defaultTtlMs: 5 * 60_000,
      logLevel: 'debug',
      tokens: [
        { scope: 'admin', secret: '0123456789abcdef' },
        { scope: 'read', secret: 'readreadreadreadread' },
      ],
      allowUnauthenticated: true,
      publicMetrics: true,
      maxBodyBytes: 4 * MB,
      maxBatch: 50,
      maxHeaders: 20,
      maxHeaderBytes: 8 * KB,
      readTimeoutSeconds: 10,
      maxConnections: 500,
      corsOrigins: ['https://app.example.com', 'http://localhost:3000'],
    })
  })

  test('every flag sets its value, in the --flag=value form', () => {
    const config = run([
      '--host=::1',
      '--port=9090',
      '--max-memory=64mb',
      '--max-value-size=100kb',
      '--max-key-size=256',
      '--default-ttl=30s',
      '--log-level=warn',
      '--public-metrics=false',
    ])
    expect(config).toEqual({
      ...DEFAULTS,
      host: '::1',
      port: 9090,
      maxMemoryBytes: 64 * MB,
      maxValueBytes: 100 * KB,
      maxKeyBytes: 256,
      defaultTtlMs: 30_000,
      logLevel: 'warn',
      upstreams: [],
    })
  })

  test('the two forms can be mixed, and unset flags keep their defaults', () => {
    expect(run(['--port=1234', '--max-memory', '32mb'])).toEqual({ ...DEFAULTS, port: 1234, maxMemoryBytes: 32 * MB })
  })

  test('only the first = separates name from value', () => {
    expect(run(['--upstream=api=http://127.0.0.1:1/a=b']).upstreams[0]?.baseUrl).toBe('http://127.0.0.1:1/a=b')
  })

  test('a repeated flag takes its last value', () => {
    expect(run(['--port', '1', '--port=2', '--port', '3']).port).toBe(3)
  })

  test('a value may start with a single dash (and is then validated)', () => {
    expect(failure(['--port', '-1']).message).toStartWith('--port')
  })

  test.each([
    ['0', 0],
    ['1', 1],
    ['65535', 65535],
    ['08080', 8080],
  ])('--port %p is port %p', (value, port) => {
    expect(run(['--port', value]).port).toBe(port)
  })

  test.each(['debug', 'info', 'warn', 'error'] as const)('--log-level %s', (level) => {
    expect(run(['--log-level', level]).logLevel).toBe(level)
  })
})

describe('sizes', () => {
  test.each([
    ['1', 1],
    ['512', 512],
    ['1048576', MB],
    ['512b', 512],
    ['1kb', KB],
    ['1KB', KB],
    ['64mb', 64 * MB],
    ['256MB', 256 * MB],
    ['1gb', GB],
    ['2GB', 2 * GB],
  ])('%p is %p bytes for every size flag', (value, bytes) => {
    // Keys stop at 65535 bytes (see below).
    const key = bytes <= MAX_KEY_BYTES ? ['--max-key-size', value] : []
    const config = run(['--max-memory', '8gb', '--max-value-size', value, ...key, '--max-body-size', value])
    expect(config.maxBodyBytes).toBe(bytes)
    expect(config.maxValueBytes).toBe(bytes)
    if (key.length > 0) expect(config.maxKeyBytes).toBe(bytes)
    // --max-memory must hold one entry of the largest key and value (plus the entry overhead).
    const smallest = attempt(['--max-memory', value, '--max-value-size', '1', '--max-key-size', '1'])
    if (bytes >= 2 + ENTRY_OVERHEAD_BYTES) expect((smallest as Config).maxMemoryBytes).toBe(bytes)
    else expect((smallest as ConfigError).message).toContain('cannot hold one entry')
  })

  test('units are binary: 1kb is 1024 bytes, not 1000', () => {
    expect(run(['--max-key-size', '1kb']).maxKeyBytes).toBe(1024)
    expect(run(['--max-value-size', '1mb']).maxValueBytes).toBe(1_048_576)
    expect(run(['--max-memory', '1gb']).maxMemoryBytes).toBe(1_073_741_824)
  })

  test('a --max-memory that cannot hold one entry of the largest key and value allowed is refused', () => {
    const error = failure(['--max-memory', '1mb', '--max-value-size', '2mb'])
    expect(error.message).toBe(
      '--max-memory 1mb cannot hold one entry of the largest size allowed (--max-key-size + --max-value-size + ' +
        `${ENTRY_OVERHEAD_BYTES} bytes of overhead = ${512 + 2 * MB + ENTRY_OVERHEAD_BYTES} bytes): raise --max-memory or lower --max-value-size`,
    )
    expect(run(['--max-memory', '3mb', '--max-value-size', '2mb']).maxValueBytes).toBe(2 * MB)
  })
})

describe('durations', () => {
  test('there is no default TTL unless one is given', () => {
    expect(run([]).defaultTtlMs).toBeNull()
  })

  test.each([
    ['1', 1000],
    ['30', 30_000],
    ['250ms', 250],
    ['30s', 30_000],
    ['5m', 300_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
  ])('--default-ttl %p is %p ms', (value, ms) => {
    expect(run(['--default-ttl', value]).defaultTtlMs).toBe(ms)
  })
})

describe('help and version', () => {
  test.each([['--help'], ['-h']])('%s returns kind help', (flag) => {
    expect(loadConfig([flag], {}, noFile)).toEqual({ kind: 'help' })
  })

  test.each([['--version'], ['-v']])('%s returns kind version', (flag) => {
    expect(loadConfig([flag], {}, noFile)).toEqual({ kind: 'version' })
  })

  test('help and version win over valid flags given before them', () => {
    expect(loadConfig(['--port', '1', '--help'], {}, noFile)).toEqual({ kind: 'help' })
    expect(loadConfig(['--port=1', '--version', '--host', 'x'], {}, noFile)).toEqual({ kind: 'version' })
  })

  test('help and version work even when the environment or config file is broken', () => {
    const env = { FASTCACHE_PORT: 'nope', FASTCACHE_CONFIG: '/does/not/exist.json' }
    expect(loadConfig(['--help'], env, noFile)).toEqual({ kind: 'help' })
    expect(loadConfig(['--version'], env, noFile)).toEqual({ kind: 'version' })
  })
})

describe('flag errors', () => {
  test('an unknown flag is named', () => {
    const error = failure(['--bogus'])
    expect(error.message).toContain('--bogus')
    expect(error.message).toContain('unknown')
  })

  test('an unknown flag in the --flag=value form is named without its value', () => {
    const error = failure(['--max-mem=1gb'])
    expect(error.message).toContain('--max-mem')
    expect(error.message).not.toContain('1gb')
  })

  test('a camelCase flag is unknown: flags are kebab-case', () => {
    expect(failure(['--maxMemory', '1gb']).message).toContain('--maxMemory')
  })

  test('an unknown flag fails even when valid flags surround it', () => {
    expect(failure(['--port', '1', '--nope', '--host', 'x']).message).toContain('--nope')
  })

  test('a bare argument is rejected and named', () => {
    expect(failure(['serve']).message).toContain('"serve"')
    expect(failure(['--port', '1', '2']).message).toContain('"2"')
  })

  test('a single-dash flag other than -h and -v is rejected and named', () => {
    expect(failure(['-p', '80']).message).toContain('-p')
  })

  test('a flag at the end without its value is named', () => {
    const error = failure(['--port'])
    expect(error.message).toStartWith('--port')
    expect(error.message).toContain('needs a value')
  })

  test('a flag followed by another flag instead of its value is named', () => {
    const error = failure(['--host', '--port', '80'])
    expect(error.message).toStartWith('--host')
    expect(error.message).toContain('needs a value')
  })

  test.each([
    ['--host', ''],
    ['--port', ''],
    ['--port', 'abc'],
    ['--port', '65536'],
    ['--port', '-1'],
    ['--port', '80.5'],
    ['--port', '1e3'],
    ['--port', '0x50'],
    ['--port', 'true'],
    ['--port', ' 80'],
    ['--port', '99999999999999999999'],
    ['--max-memory', '0'],
    ['--max-memory', '-1'],
    ['--max-memory', '1.5'],
    ['--max-memory', '1.5mb'],
    ['--max-memory', 'lots'],
    ['--max-memory', '1tb'],
    ['--max-memory', '1k'],
    ['--max-memory', '1 kb'],
    ['--max-memory', '1e9'],
    ['--max-memory', 'true'],
    ['--max-memory', ''],
    ['--max-value-size', '0kb'],
    ['--max-value-size', 'big'],
    ['--max-key-size', '0'],
    ['--max-key-size', '2.5'],
    ['--default-ttl', '0'],
    ['--default-ttl', '0s'],
    ['--default-ttl', '-5'],
    ['--default-ttl', '-5s'],
    ['--default-ttl', '1.5'],
    ['--default-ttl', '1.5s'],
    ['--default-ttl', '1e3'],
    ['--default-ttl', 'true'],
    ['--default-ttl', 'soon'],
    ['--default-ttl', '5x'],
    ['--default-ttl', '5 s'],
    ['--default-ttl', ''],
    ['--log-level', 'verbose'],
    ['--log-level', ''],
  ])('%s %p is rejected with a message that names the flag and the value', (flag, value) => {
    const error = failure([`${flag}=${value}`])
    expect(error.message).toStartWith(`${flag}: `)
    expect(error.message).toContain(JSON.stringify(value))
  })

  test('the message says what a valid value looks like', () => {
    expect(failure(['--port', 'abc']).message).toContain('0 to 65535')
    expect(failure(['--max-memory', 'lots']).message).toContain('kb, mb or gb')
    expect(failure(['--default-ttl', 'soon']).message).toContain('30s')
    expect(failure(['--log-level', 'loud']).message).toContain('debug, info, warn, error')
  })

  test('a size beyond 2^53 bytes is rejected as too large, naming the flag', () => {
    expect(run(['--max-memory', '8388607gb']).maxMemoryBytes).toBe(8388607 * GB)
    const error = failure(['--max-memory', '8388608gb'])
    expect(error.message).toStartWith('--max-memory: ')
    expect(error.message).toContain('"8388608gb"')
    expect(error.message).toContain('too large')
    expect(failure(['--max-key-size', '99999999999gb']).message).toStartWith('--max-key-size: ')
  })

  test('a TTL beyond 100 years is rejected as too long, naming the flag', () => {
    expect(run(['--default-ttl', '36500d']).defaultTtlMs).toBe(36500 * 86_400_000)
    const error = failure(['--default-ttl', '36501d'])
    expect(error.message).toStartWith('--default-ttl: ')
    expect(error.message).toContain('"36501d"')
    expect(error.message).toContain('too long')
  })
})

describe('environment variables', () => {
  test('every FASTCACHE_* variable sets its value', () => {
    const config = run([], {
      FASTCACHE_HOST: '10.0.0.1',
      FASTCACHE_PORT: '8081',
      FASTCACHE_MAX_MEMORY: '512mb',
      FASTCACHE_MAX_VALUE_SIZE: '4mb',
      FASTCACHE_MAX_KEY_SIZE: '128',
      FASTCACHE_DEFAULT_TTL: '2h',
      FASTCACHE_LOG_LEVEL: 'error',
      FASTCACHE_TOKENS: `${TOKEN},write:writewritewritewrite`,
      FASTCACHE_PUBLIC_METRICS: '1',
      FASTCACHE_CORS_ORIGIN: '*',
    })
    expect(config).toEqual({
      ...DEFAULTS,
      tokens: [
        { scope: 'admin', secret: '0123456789abcdef' },
        { scope: 'write', secret: 'writewritewritewrite' },
      ],
      publicMetrics: true,
      corsOrigins: ['*'],
      host: '10.0.0.1',
      port: 8081,
      maxMemoryBytes: 512 * MB,
      maxValueBytes: 4 * MB,
      maxKeyBytes: 128,
      defaultTtlMs: 7_200_000,
      logLevel: 'error',
      upstreams: [],
    })
  })

  test('variable names are case-sensitive', () => {
    expect(run([], { fastcache_port: '1', FASTCACHE_port: '2' }).port).toBe(7070)
  })

  test.each([
    ['FASTCACHE_PORT', 'abc'],
    ['FASTCACHE_PORT', '70000'],
    ['FASTCACHE_PORT', 'true'],
    ['FASTCACHE_MAX_MEMORY', 'lots'],
    ['FASTCACHE_MAX_MEMORY', '0'],
    ['FASTCACHE_MAX_MEMORY', '1.5'],
    ['FASTCACHE_MAX_VALUE_SIZE', '1tb'],
    ['FASTCACHE_MAX_KEY_SIZE', '-4'],
    ['FASTCACHE_DEFAULT_TTL', '0'],
    ['FASTCACHE_DEFAULT_TTL', '1.5'],
    ['FASTCACHE_DEFAULT_TTL', '-1m'],
    ['FASTCACHE_LOG_LEVEL', 'chatty'],
  ])('%s=%p is rejected with a message that names the variable', (variable, value) => {
    const error = failure([], { [variable]: value })
    expect(error.message).toStartWith(`${variable}: `)
    expect(error.message).toContain(JSON.stringify(value))
  })

  test('a too-large size or too-long TTL from a variable names the variable, not the flag', () => {
    const size = failure([], { FASTCACHE_MAX_MEMORY: '8388608gb' })
    expect(size.message).toStartWith('FASTCACHE_MAX_MEMORY: ')
    expect(size.message).not.toContain('--max-memory')
    const ttl = failure([], { FASTCACHE_DEFAULT_TTL: '36501d' })
    expect(ttl.message).toStartWith('FASTCACHE_DEFAULT_TTL: ')
    expect(ttl.message).not.toContain('--default-ttl')
  })
})

describe('config file (injected reader)', () => {
  test('every key, in camelCase, sets its value; JSON numbers are bytes and seconds', () => {
    const file = fakeFile({
      host: '192.168.1.1',
      port: 6000,
      maxMemory: 10_000_000,
      maxValueSize: '3mb',
      maxKeySize: 64,
      defaultTtl: 90,
      logLevel: 'warn',
      allowUnauthenticated: true,
      maxBatch: 10,
    })
    expect(run(['--config', 'fastcache.json'], {}, file.read)).toEqual({
      ...DEFAULTS,
      allowUnauthenticated: true,
      maxBatch: 10,
      host: '192.168.1.1',
      port: 6000,
      maxMemoryBytes: 10_000_000,
      maxValueBytes: 3 * MB,
      maxKeyBytes: 64,
      defaultTtlMs: 90_000,
      logLevel: 'warn',
      upstreams: [],
    })
    expect(file.paths).toEqual(['fastcache.json'])
  })

  test('sizes and durations may be strings with units', () => {
    const file = fakeFile({ maxMemory: '2gb', defaultTtl: '250ms' })
    const config = run(['--config=c.json'], {}, file.read)
    expect(config.maxMemoryBytes).toBe(2 * GB)
    expect(config.defaultTtlMs).toBe(250)
  })

  test('an empty object leaves every default', () => {
    expect(run(['--config', 'c.json'], {}, fakeFile({}).read)).toEqual(DEFAULTS)
  })

  test('FASTCACHE_CONFIG names the file when --config is not given', () => {
    const file = fakeFile({ port: 7171 })
    expect(run([], { FASTCACHE_CONFIG: '/etc/fastcache.json' }, file.read).port).toBe(7171)
    expect(file.paths).toEqual(['/etc/fastcache.json'])
  })

  test('--config beats FASTCACHE_CONFIG: only the flag’s file is read', () => {
    const file = fakeFile({ port: 7272 })
    expect(run(['--config', 'flag.json'], { FASTCACHE_CONFIG: 'env.json' }, file.read).port).toBe(7272)
    expect(file.paths).toEqual(['flag.json'])
  })

  test('no file is read without --config or FASTCACHE_CONFIG', () => {
    const file = fakeFile({ port: 1 })
    expect(run(['--port', '2'], { FASTCACHE_PORT: '3' }, file.read).port).toBe(2)
    expect(file.paths).toEqual([])
  })

  test('an unreadable file is named with the reason', () => {
    const reader = () => {
      throw new Error('EACCES: permission denied')
    }
    const error = failure(['--config', '/secret/c.json'], {}, reader)
    expect(error.message).toStartWith('--config: ')
    expect(error.message).toContain('/secret/c.json')
    expect(error.message).toContain('EACCES')
  })

  test.each([['{'], ['not json'], [''], ['{"port": 1,}'], ["{'port': 1}"]])('invalid JSON %p is named', (text) => {
    const error = failure(['--config', 'bad.json'], {}, fakeFile(text).read)
    expect(error.message).toStartWith('--config: ')
    expect(error.message).toContain('bad.json')
    expect(error.message).toContain('not valid JSON')
  })

  test.each([['[]'], ['[{"port": 1}]'], ['null'], ['42'], ['"port"'], ['true']])('JSON %p that is not an object is rejected', (text) => {
    const error = failure(['--config', 'c.json'], {}, fakeFile(text).read)
    expect(error.message).toStartWith('--config: ')
    expect(error.message).toContain('c.json')
    expect(error.message).toContain('object')
  })

  test('an unknown key is named', () => {
    const error = failure(['--config', 'c.json'], {}, fakeFile({ maxMemroy: '1gb' }).read)
    expect(error.message).toContain('"maxMemroy"')
    expect(error.message).toContain('unknown')
  })

  test('keys are camelCase, not flag or variable spellings', () => {
    expect(failure(['--config', 'c.json'], {}, fakeFile({ 'max-memory': '1gb' }).read).message).toContain('"max-memory"')
    expect(failure(['--config', 'c.json'], {}, fakeFile({ MAX_MEMORY: '1gb' }).read).message).toContain('"MAX_MEMORY"')
  })

  test('a config file cannot point at another config file', () => {
    const error = failure(['--config', 'c.json'], {}, fakeFile({ config: 'other.json' }).read)
    expect(error.message).toContain('"config"')
  })

  test.each([
    ['host', ''],
    ['host', 123],
    ['host', null],
    ['port', 80.5],
    ['port', -1],
    ['port', 65536],
    ['port', true],
    ['port', 'abc'],
    ['maxMemory', 0],
    ['maxMemory', 1.5],
    ['maxMemory', -1024],
    ['maxMemory', true],
    ['maxMemory', '1.5gb'],
    ['maxMemory', [1024]],
    ['maxValueSize', { mb: 1 }],
    ['maxKeySize', '0'],
    ['defaultTtl', 0],
    ['defaultTtl', 1.5],
    ['defaultTtl', -30],
    ['defaultTtl', true],
    ['defaultTtl', '1.5s'],
    ['defaultTtl', 'later'],
    ['logLevel', 'INFO?'],
    ['logLevel', 1],
  ])('%s: %j is rejected with a message that names the file key', (key, value) => {
    const error = failure(['--config', 'c.json'], {}, fakeFile({ [key]: value }).read)
    expect(error.message).toStartWith(`config file key "${key}": `)
    expect(error.message).toContain(JSON.stringify(value))
  })

  test('a too-large size or too-long TTL in the file names the file key, not the flag', () => {
    const size = failure(['--config', 'c.json'], {}, fakeFile({ maxValueSize: 1e20 }).read)
    expect(size.message).toStartWith('config file key "maxValueSize": ')
    expect(size.message).toContain('too large')
    const ttl = failure(['--config', 'c.json'], {}, fakeFile({ defaultTtl: 36501 * 86_400 }).read)
    expect(ttl.message).toStartWith('config file key "defaultTtl": ')
    expect(ttl.message).toContain('too long')
  })
})

describe('config file (real file on disk)', () => {
  let dir: string

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'fastcache-config-test-'))
  })

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true })
  })

  test('values are read from the file named by --config', () => {
    const path = join(dir, 'fastcache.json')
    writeFileSync(
      path,
      JSON.stringify({ host: '0.0.0.0', port: 7575, maxMemory: '1gb', defaultTtl: '1d', logLevel: 'debug', allowUnauthenticated: true }),
    )
    expect(run(['--config', path], {}, 'disk')).toEqual({
      ...DEFAULTS,
      allowUnauthenticated: true,
      host: '0.0.0.0',
      port: 7575,
      maxMemoryBytes: GB,
      defaultTtlMs: 86_400_000,
      logLevel: 'debug',
      upstreams: [],
    })
  })

  test('values are read from the file named by FASTCACHE_CONFIG', () => {
    const path = join(dir, 'from-env.json')
    writeFileSync(path, '{\n  "maxValueSize": "8mb"\n}\n')
    expect(run([], { FASTCACHE_CONFIG: path }, 'disk')).toEqual({ ...DEFAULTS, maxValueBytes: 8 * MB })
  })

  test('a missing file is a ConfigError naming --config and the path', () => {
    const path = join(dir, 'missing.json')
    const error = failure([`--config=${path}`], {}, 'disk')
    expect(error.message).toStartWith('--config: ')
    expect(error.message).toContain(path)
  })

  test('a directory is not a readable config file', () => {
    const error = failure(['--config', dir], {}, 'disk')
    expect(error.message).toStartWith('--config: ')
    expect(error.message).toContain(dir)
  })
})

describe('precedence: flag beats env beats file beats default', () => {
  const file = { port: 3333, maxMemory: '30mb', defaultTtl: '3s', logLevel: 'error', host: 'file.local', allowUnauthenticated: true }
  const env = {
    FASTCACHE_CONFIG: 'c.json',
    FASTCACHE_PORT: '2222',
    FASTCACHE_MAX_MEMORY: '20mb',
    FASTCACHE_DEFAULT_TTL: '2s',
    FASTCACHE_LOG_LEVEL: 'warn',
  }
  const flags = ['--port', '1111', '--max-memory=10mb']

  test('each key comes from the strongest source that sets it', () => {
    const config = run(flags, env, fakeFile(file).read)
    expect(config.port).toBe(1111) // flag over env and file
    expect(config.maxMemoryBytes).toBe(10 * MB) // flag over env and file
    expect(config.defaultTtlMs).toBe(2000) // env over file
    expect(config.logLevel).toBe('warn') // env over file
    expect(config.host).toBe('file.local') // file over default
    expect(config.maxValueBytes).toBe(MB) // default
    expect(config.maxKeyBytes).toBe(512) // default
  })

  test.each([
    ['flag, env and file', ['--port', '1'], { FASTCACHE_PORT: '2' }, { port: 3 }, 1],
    ['flag and env', ['--port', '1'], { FASTCACHE_PORT: '2' }, {}, 1],
    ['flag and file', ['--port', '1'], {}, { port: 3 }, 1],
    ['env and file', [], { FASTCACHE_PORT: '2' }, { port: 3 }, 2],
    ['file only', [], {}, { port: 3 }, 3],
    ['nothing', [], {}, {}, 7070],
  ])('port set by %s', (_, argv, vars, content, port) => {
    expect(run([...argv, '--config', 'c.json'], vars, fakeFile(content).read).port).toBe(port)
  })

  test.each([
    ['flag, env and file', ['--default-ttl', '1m'], { FASTCACHE_DEFAULT_TTL: '2m' }, { defaultTtl: 180 }, 60_000],
    ['env and file', [], { FASTCACHE_DEFAULT_TTL: '2m' }, { defaultTtl: 180 }, 120_000],
    ['file only', [], {}, { defaultTtl: 180 }, 180_000],
    ['nothing', [], {}, {}, null],
  ])('default TTL set by %s', (_, argv, vars, content, ms) => {
    expect(run([...argv, '--config', 'c.json'], vars, fakeFile(content).read).defaultTtlMs).toBe(ms)
  })

  test('an empty variable does not hide the file’s value', () => {
    expect(run(['--config', 'c.json'], { FASTCACHE_PORT: '' }, fakeFile({ port: 3 }).read).port).toBe(3)
  })

  test('every source is validated on its own: a bad value fails even where a stronger source overrides it', () => {
    expect(failure(['--port', '1'], { FASTCACHE_PORT: 'nope' }).message).toStartWith('FASTCACHE_PORT: ')
    expect(failure(['--port', '1', '--config', 'c.json'], {}, fakeFile({ port: 'nope' }).read).message).toStartWith(
      'config file key "port": ',
    )
  })
})

describe('the version reported by --version', () => {
  test('package.json holds a semantic version', () => {
    expect(version).toMatch(/^\d+\.\d+\.\d+$/)
  })
})

describe('the fastcache binary (src/main.ts in a real process)', () => {
  const root = join(import.meta.dir, '..', '..')
  // A clean environment so FASTCACHE_* variables of whoever runs the tests cannot change the outcome.
  const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('FASTCACHE_')))

  /** The message of the one JSON line a fatal error writes (it is a log line like any other). */
  const fatal = (stderr: string) => {
    const line = JSON.parse(stderr) as { level: string; message: string }
    expect(line.level).toBe('error')
    return line.message
  }

  async function fastcache(args: string[], extraEnv: Env = {}) {
    const proc = Bun.spawn([process.execPath, 'src/main.ts', ...args], {
      cwd: root,
      env: { ...cleanEnv, ...extraEnv },
      stdin: 'ignore',
      stdout: 'pipe',
      stderr: 'pipe',
      // None of these invocations should start the server; if one does, it is killed rather than left running.
      timeout: 8_000,
      killSignal: 'SIGKILL',
    })
    try {
      const [stdout, stderr, status] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited])
      return { stdout, stderr, status, signal: proc.signalCode }
    } finally {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL')
    }
  }

  test('--help prints usage listing every flag and variable on stdout and exits 0', async () => {
    const { stdout, stderr, status, signal } = await fastcache(['--help'])
    expect(signal).toBeNull()
    expect(status).toBe(0)
    expect(stderr).toBe('')
    expect(stdout).toContain('Usage: fastcache')
    expect(stdout).toContain(version)
    for (const key of ['host', 'port', 'maxMemory', 'maxValueSize', 'maxKeySize', 'defaultTtl', 'logLevel', 'config']) {
      expect(stdout).toContain(flagName(key))
      expect(stdout).toContain(envName(key))
    }
    expect(stdout).toContain('--help')
    expect(stdout).toContain('--version')
    expect(stdout).toContain('(default: 127.0.0.1)')
    expect(stdout).toContain('(default: 7070)')
    expect(stdout).toContain('(default: 256mb)')
  }, 15_000)

  test('--version prints "fastcache <version>" on stdout and exits 0', async () => {
    const { stdout, stderr, status, signal } = await fastcache(['--version'])
    expect(signal).toBeNull()
    expect(status).toBe(0)
    expect(stderr).toBe('')
    expect(stdout).toBe(`fastcache ${version}\n`)
  }, 15_000)

  test('an unknown flag exits 2 with one line on stderr naming it', async () => {
    const { stdout, stderr, status, signal } = await fastcache(['--no-such-flag'])
    expect(signal).toBeNull()
    expect(status).toBe(2)
    expect(stdout).toBe('')
    expect(stderr.endsWith('\n')).toBe(true)
    expect(stderr.trimEnd().split('\n')).toHaveLength(1)
    expect(fatal(stderr)).toStartWith('unknown flag --no-such-flag')
  }, 15_000)

  test('a bad value exits 2 with one line on stderr naming the flag and the value', async () => {
    const { stdout, stderr, status, signal } = await fastcache(['--port', '0', '--max-memory', 'lots'])
    expect(signal).toBeNull()
    expect(status).toBe(2)
    expect(stdout).toBe('')
    expect(stderr.trimEnd().split('\n')).toHaveLength(1)
    expect(fatal(stderr)).toStartWith('--max-memory: ')
    expect(fatal(stderr)).toContain('"lots"')
  }, 15_000)

  test('a bad environment variable exits 2 with one line on stderr naming the variable', async () => {
    const { stdout, stderr, status, signal } = await fastcache(['--port', '0'], { FASTCACHE_DEFAULT_TTL: '1.5' })
    expect(signal).toBeNull()
    expect(status).toBe(2)
    expect(stdout).toBe('')
    expect(stderr.trimEnd().split('\n')).toHaveLength(1)
    expect(fatal(stderr)).toStartWith('FASTCACHE_DEFAULT_TTL: ')
  }, 15_000)
})

describe('upstreams for the proxy', () => {
  const upstream = (name: string, baseUrl: string, options: Partial<Config['upstreams'][number]> = {}) => ({
    name,
    baseUrl,
    timeoutMs: 10_000,
    maxBodyBytes: 8 * MB,
    defaultTtlMs: null,
    maxHeuristicTtlMs: 24 * 3600 * 1000,
    staleOnErrorMs: 60_000,
    forwardHeaders: null,
    cacheAuthorized: true,
    ignoreCookies: false,
    storeSetCookie: false,
    targetedFields: ['cdn-cache-control'],
    ...options,
  })

  test('--upstream is repeatable; a trailing slash of the base URL is dropped', () => {
    const config = run(['--upstream', 'api=https://api.example.com/v2/', '--upstream=web=http://127.0.0.1:8080'])
    expect(config.upstreams).toEqual([upstream('api', 'https://api.example.com/v2'), upstream('web', 'http://127.0.0.1:8080')])
  })

  test('FASTCACHE_UPSTREAM takes a comma-separated list', () => {
    const config = run([], { FASTCACHE_UPSTREAM: 'a=http://a.example, b=http://b.example' })
    expect(config.upstreams.map((u) => u.name)).toEqual(['a', 'b'])
  })

  test('the config file sets per-upstream options', () => {
    const file = fakeFile({
      upstreams: {
        api: {
          url: 'https://api.example.com',
          timeout: '2s',
          maxBodySize: '1mb',
          defaultTtl: 30,
          forwardHeaders: ['Accept', 'X-Tenant'],
          cacheAuthorized: false,
        },
      },
    })
    expect(run(['--config', 'f.json'], {}, file.read).upstreams).toEqual([
      upstream('api', 'https://api.example.com', {
        timeoutMs: 2000,
        maxBodyBytes: MB,
        defaultTtlMs: 30_000,
        forwardHeaders: ['accept', 'x-tenant'],
        cacheAuthorized: false,
      }),
    ])
  })

  test('the RFC 9111 options per upstream: durations that 0 turns off, Set-Cookie storage, targeted fields as lower-case names', () => {
    const file = fakeFile({
      upstreams: {
        off: { url: 'https://off.example', staleOnError: 0, maxHeuristicTtl: 0, targetedFields: [], cacheAuthorized: false },
        on: {
          url: 'https://on.example',
          staleOnError: '5m',
          maxHeuristicTtl: '2h',
          storeSetCookie: true,
          targetedFields: ['Fastcache-CC'],
        },
      },
    })
    const upstreams = run(['--config', 'f.json'], {}, file.read).upstreams
    expect(upstreams.find((u) => u.name === 'off')).toMatchObject({
      staleOnErrorMs: 0,
      maxHeuristicTtlMs: 0,
      targetedFields: [],
      cacheAuthorized: false,
    })
    expect(upstreams.find((u) => u.name === 'on')).toMatchObject({
      staleOnErrorMs: 300_000,
      maxHeuristicTtlMs: 7_200_000,
      storeSetCookie: true,
      targetedFields: ['fastcache-cc'],
    })
  })

  test('ignoreCookies is off by default and set per upstream; "*" in forwardHeaders is kept as written', () => {
    const file = fakeFile({
      upstreams: {
        shop: { url: 'https://shop.example', ignoreCookies: true, forwardHeaders: ['*', 'X-Forwarded-Proto'] },
        api: { url: 'https://api.example' },
      },
    })
    const upstreams = run(['--config', 'f.json'], {}, file.read).upstreams
    const shop = upstream('shop', 'https://shop.example', { ignoreCookies: true, forwardHeaders: ['*', 'x-forwarded-proto'] })
    expect(upstreams.find((u) => u.name === 'shop')).toEqual(shop)
    expect(upstreams.find((u) => u.name === 'api')!.ignoreCookies).toBe(false)
    const bad = fakeFile({ upstreams: { shop: { url: 'https://shop.example', ignoreCookies: 'yes' } } })
    const message = 'config file key "upstreams.shop.ignoreCookies": expected true or false, got "yes"'
    expect(failure(['--config', 'f.json'], {}, bad.read).message).toBe(message)
  })

  test('a name defined twice is an error naming it', () => {
    const file = fakeFile({ upstreams: { api: { url: 'http://a.example' } } })
    expect(failure(['--upstream', 'api=http://b.example', '--config', 'f.json'], {}, file.read).message).toContain('"api" is defined twice')
  })

  test.each([
    ['api', '--upstream: expected name=http(s)://'],
    ['api=ftp://x', '--upstream: expected name=http(s)://'],
    ['-x=http://x', '--upstream: expected name=http(s)://'],
    ['api=http://user:pw@x.example', 'credentials in the URL'],
    ['api=http://x.example/?a=1', 'query or fragment'],
    ['api=http://[bad', 'is not a valid URL'],
  ])('--upstream %p is rejected: %p', (value, message) => {
    expect(failure(['--upstream', value]).message).toContain(message)
  })

  test('per-upstream options are only in the config file, and a bad option is named with its path', () => {
    expect(failure(['--upstreams', '{}']).message).toContain('can only be set in the config file')
    expect(failure([], { FASTCACHE_UPSTREAMS: '{}' }).message).toContain('can only be set in the config file')
    const bad = fakeFile({ upstreams: { api: { url: 'http://x.example', timeout: 'soon' } } })
    expect(failure(['--config', 'f.json'], {}, bad.read).message).toBe(
      `config file key "upstreams.api.timeout": expected ${DURATION_HINT}, got "soon"`,
    )
    const unknown = fakeFile({ upstreams: { api: { url: 'http://x.example', retries: 3 } } })
    expect(failure(['--config', 'f.json'], {}, unknown.read).message).toContain('config file key "upstreams.api')
  })
})

describe('access control and limits', () => {
  test('protected mode: no tokens on a non-loopback address stops the start with one clear line', () => {
    const error = failure(['--host', '0.0.0.0'])
    expect(error.message).toBe(
      'refusing to listen on 0.0.0.0 without access tokens: give --token or --token-file, or --allow-unauthenticated to serve anyone who can connect',
    )
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', 'localhost']) expect(run(['--host', host]).host).toBe(host)
    expect(run(['--host', '0.0.0.0', '--token', TOKEN]).tokens).toHaveLength(1)
    expect(run(['--host', '0.0.0.0', '--allow-unauthenticated']).allowUnauthenticated).toBe(true)
  })

  test('a token file holds SCOPE:SECRET lines with comments, added to the other tokens', () => {
    const file = fakeFile('# ops tokens\nread:aaaaaaaaaaaaaaaaaaaa\n\n  write:bbbbbbbbbbbbbbbbbbbb  \n')
    expect(run(['--token-file', 'tokens.txt', '--token', TOKEN], {}, file.read).tokens).toEqual([
      { scope: 'admin', secret: '0123456789abcdef' },
      { scope: 'read', secret: 'aaaaaaaaaaaaaaaaaaaa' },
      { scope: 'write', secret: 'bbbbbbbbbbbbbbbbbbbb' },
    ])
    expect(failure(['--token-file', 'tokens.txt'], {}, fakeFile('read:short\n').read).message).toBe(
      '--token-file: line 1 of tokens.txt is not SCOPE:SECRET with scope read, write or admin and a secret of 16 or more printable characters (the line is not shown)',
    )
  })

  test.each([['owner:0123456789abcdef'], ['read:short'], ['read:has a space inside it']])('--token %p is rejected', (token) => {
    expect(failure(['--token', token]).message).toStartWith('--token: expected SCOPE:SECRET')
  })

  test('a boolean flag takes no value, or true/false/1/0', () => {
    expect(run(['--public-metrics']).publicMetrics).toBe(true)
    expect(run(['--public-metrics=0']).publicMetrics).toBe(false)
    expect(failure(['--public-metrics=yes']).message).toStartWith('--public-metrics: expected true or false')
  })

  test('TLS needs both files, readable', () => {
    expect(failure(['--tls-cert', 'c.pem']).message).toBe('--tls-cert and --tls-key go together: give both or neither')
    expect(failure(['--tls-cert', '/nonexistent/c.pem', '--tls-key', '/nonexistent/k.pem'], {}, 'disk').message).toStartWith(
      '--tls-cert: cannot read /nonexistent/c.pem',
    )
  })

  test('limits are checked: read timeout at most 255s, value size within the body size, keys at most what the engine stores', () => {
    expect(failure(['--read-timeout', '5m']).message).toBe('--read-timeout: "5m" is more than 255s, the most the runtime allows')
    expect(failure(['--max-value-size', '16mb']).message).toBe(
      '--max-value-size cannot exceed --max-body-size: such a value could never be sent',
    )
    expect(failure(['--max-header-size', '32kb']).message).toBe('--max-header-size: "32kb" is more than 16kb, the most the runtime allows')
    expect(failure(['--max-key-size', '64kb']).message).toBe(
      '--max-key-size: "64kb" is more than 65535b, the longest key the engine stores',
    )
    expect(failure([], { FASTCACHE_MAX_KEY_SIZE: '1mb' }).message).toBe(
      'FASTCACHE_MAX_KEY_SIZE: "1mb" is more than 65535b, the longest key the engine stores',
    )
    expect(run(['--max-key-size', '65535']).maxKeyBytes).toBe(MAX_KEY_BYTES)
    expect(run(['--max-header-size', '4kb']).maxHeaderBytes).toBe(4 * KB)
    expect(failure(['--max-batch', '0']).message).toBe('--max-batch: expected an integer from 1 to 100000, got "0"')
    expect(failure(['--cors-origin', 'app.example.com']).message).toStartWith('--cors-origin: expected an origin')
  })
})

describe('the shared tier', () => {
  test('--redis or --redis-cluster, with near-cache TTL and timeout', () => {
    expect(run(['--redis', 'redis://:pw@10.0.0.5:6380/2']).tier).toEqual({
      redis: { url: 'redis://:pw@10.0.0.5:6380/2' },
      nearCacheTtlMs: 5000,
      redisTimeoutMs: 1000,
    })
    expect(run(['--redis-cluster', 'a:7000,b:7001', '--near-cache-ttl', '0', '--redis-timeout', '250ms']).tier).toEqual({
      redis: {
        cluster: [
          { host: 'a', port: 7000 },
          { host: 'b', port: 7001 },
        ],
      },
      nearCacheTtlMs: 0,
      redisTimeoutMs: 250,
    })
    expect(run([]).tier).toBeNull()
  })

  test('bad tier settings are named', () => {
    expect(failure(['--redis', 'http://x']).message).toStartWith('--redis: expected redis://')
    expect(failure(['--redis-cluster', 'a,b']).message).toStartWith('--redis-cluster: expected host:port')
    expect(failure(['--redis', 'redis://a:1', '--redis-cluster', 'a:1']).message).toBe(
      '--redis and --redis-cluster exclude each other: give one',
    )
    expect(failure(['--redis', 'redis://a:1', '--data-dir', '/tmp/x']).message).toStartWith('--data-dir does not go with --redis')
  })
})

describe('persistence', () => {
  test('--data-dir turns it on with a snapshot every 5 minutes; --snapshot-interval 0 means none on a timer, from any source', () => {
    const defaults = { dir: '/data', snapshotIntervalMs: 5 * 60_000, fsync: 'everysec' as const, recover: false }
    expect(run(['--data-dir', '/data']).persistence).toEqual(defaults)
    expect(run(['--data-dir', '/data', '--snapshot-interval', '90s']).persistence?.snapshotIntervalMs).toBe(90_000)
    expect(run(['--data-dir', '/data', '--snapshot-interval', '0']).persistence?.snapshotIntervalMs).toBe(0)
    expect(run(['--data-dir=/data', '--snapshot-interval=0']).persistence?.snapshotIntervalMs).toBe(0)
    expect(run([], { FASTCACHE_DATA_DIR: '/data', FASTCACHE_SNAPSHOT_INTERVAL: '0' }).persistence?.snapshotIntervalMs).toBe(0)
    const file = fakeFile({ dataDir: '/data', snapshotInterval: 0 })
    expect(run(['--config', 'c.json'], {}, file.read).persistence?.snapshotIntervalMs).toBe(0)
    expect(failure(['--snapshot-interval', '-1']).message).toBe(`--snapshot-interval: expected 0 (off) or ${DURATION_HINT}, got "-1"`)
    expect(failure(['--snapshot-interval', '0s']).message).toStartWith('--snapshot-interval: expected 0 (off) or')
  })
})

describe('what an operator sees: sources, warnings, masked secrets', () => {
  const report = (argv: string[], env: Env = {}, reader: Reader = noFile) => {
    const result = load(argv, env, reader)
    if (!('report' in result)) throw new Error('no report')
    return result.report
  }

  test('--print-config gives every setting with its value and its source; secrets are masked', () => {
    const file = fakeFile({ maxBatch: 5, tokens: ['read:filefilefilefilefile'] })
    const result = load(
      [
        '--print-config',
        '--port',
        '9999',
        '--token',
        'admin:flagflagflagflagflag',
        '--redis',
        'redis://user:redis-password-1@h:6379',
        '--config',
        'c.json',
      ],
      { FASTCACHE_LOG_LEVEL: 'debug' },
      file.read,
    )
    expect(result.kind).toBe('print-config')
    if (result.kind !== 'print-config') return
    const printed = JSON.parse(printConfig(result.report))
    expect(printed.port).toEqual({ value: 9999, source: 'flag' })
    expect(printed.logLevel).toEqual({ value: 'debug', source: 'env' })
    expect(printed.maxBatch).toEqual({ value: 5, source: 'file' })
    expect(printed.host).toEqual({ value: '127.0.0.1', source: 'default' })
    expect(printed.defaultTtl).toEqual({ value: null, source: 'default' })
    expect(printed.tokens).toEqual({ value: [`admin:…${fingerprint('flagflagflagflagflag')}`], source: 'flag' })
    expect(printed.redis).toEqual({ value: 'redis://user:***@h:6379', source: 'flag' })
    expect(Object.keys(printed).sort()).toEqual(Object.keys(ConfigInput.properties).sort())
    const text = printConfig(result.report)
    for (const secret of ['flagflagflagflagflag', 'redis-password-1']) expect(text).not.toContain(secret)
  })

  test('unknown FASTCACHE_* variables are warned about with the nearest known name; unrelated ones are not', () => {
    const warnings = report([], { FASTCACHE_MAX_MEMROY: '1gb', FASTCACHE_NOTHING_LIKE_IT: '1', PATH: '/bin' }).warnings
    expect(warnings).toEqual([
      'unknown variable FASTCACHE_MAX_MEMROY is ignored (did you mean FASTCACHE_MAX_MEMORY?)',
      'unknown variable FASTCACHE_NOTHING_LIKE_IT is ignored',
    ])
  })

  test('an unknown flag names the nearest one', () => {
    expect(failure(['--max-memroy', '1gb']).message).toBe('unknown flag --max-memroy (did you mean --max-memory?) (see --help)')
  })

  test('--idle-timeout still works, as --read-timeout, with a warning saying why it was renamed', () => {
    const result = load(['--idle-timeout', '10s'], { FASTCACHE_IDLE_TIMEOUT: '20s' }, noFile)
    if (result.kind !== 'run') throw new Error('expected run')
    expect(result.config.readTimeoutSeconds).toBe(10)
    expect(result.report.warnings[0]).toStartWith('--idle-timeout is now --read-timeout')
    expect(result.report.warnings[1]).toStartWith('FASTCACHE_IDLE_TIMEOUT is now FASTCACHE_READ_TIMEOUT')
  })

  test('--host is checked before protected mode: a typo is named as such', () => {
    expect(failure(['--host', '0.0.0.0x']).message).toBe('--host: "0.0.0.0x" is not an IP address or a host name')
    expect(failure(['--host', '1.2.3.4.5']).message).toBe('--host: "1.2.3.4.5" is not an IP address or a host name')
    expect(failure(['--host', 'a b']).message).toStartWith('--host: "a b" is not')
    for (const host of ['0.0.0.0', '::', '[::1]', 'fe80::1', 'cache.internal', 'localhost']) {
      expect(run(['--host', host, '--allow-unauthenticated']).host).toBe(host)
    }
  })

  test('an invalid token is named by its position and scope, never shown, from every source', () => {
    const secret = 'goodgoodgoodgood1234'
    const fromEnv = failure([], { FASTCACHE_TOKENS: `admin:${secret},write:short` })
    expect(fromEnv.message).toBe(
      'FASTCACHE_TOKENS: expected SCOPE:SECRET with scope read, write or admin and a secret of 16 or more printable characters, got a 2nd value with scope "write" and 5 characters after it (not shown)',
    )
    const fromFlag = failure(['--token', `admin:${secret}`, '--token', 'owner:ownerownerowner12'])
    expect(fromFlag.message).toContain('2nd value with scope "owner"')
    const fromFile = failure(['--config', 'c.json'], {}, fakeFile({ tokens: [`read:${secret}`, 'x'] }).read)
    expect(fromFile.message).toContain('2nd value with no scope')
    const invalidJson = failure(['--config', 'c.json'], {}, fakeFile(`{"tokens": [admin:${secret}]}`).read)
    for (const error of [fromEnv, fromFlag, fromFile, invalidJson]) expect(error.message).not.toContain(secret)
    const redis = failure(['--redis', 'http://u:redis-secret-pw@host:6379'])
    expect(redis.message).toBe('--redis: expected redis://[user:pass@]host:port[/db] or rediss://..., got "http://u:***@host:6379"')
  })

  test('a mistake in a flag still reports the misspelt variables seen before it (the misspelling may be its cause)', () => {
    const error = failure(['--max-memory', 'lots'], { FASTCACHE_MAX_MEMROY: '1gb' })
    expect(error.message).toStartWith('--max-memory: expected')
    expect(error.warnings).toEqual(['unknown variable FASTCACHE_MAX_MEMROY is ignored (did you mean FASTCACHE_MAX_MEMORY?)'])
  })

  test('a malformed --redis URL is refused without showing it; passwords with reserved characters are masked whole', () => {
    // An unencoded '/', '#' or '?' ends the authority early: the password turns into a port or a path.
    const malformed = ['redis://u:secretpw@h:notaport', 'redis://u:se/cretpw@h:6379', 'redis://u:se#cretpw@h', 'redis://u:se?cretpw@h']
    for (const url of [...malformed, 'redis://u:12/secretpw@h:6379']) {
      const error = failure(['--redis', url])
      expect([url, error.message]).toEqual([url, expect.stringMatching(/^--redis .*\(the URL is not shown: it may hold a password\)/)])
      expect(error.message).not.toContain('cretpw')
    }
    const shown = (url: string) => {
      const result = load(['--print-config', '--redis', url], {}, fakeFile({}).read)
      if (result.kind !== 'print-config') throw new Error(`not printed: ${url}`)
      return JSON.parse(printConfig(result.report)).redis.value
    }
    expect(shown('redis://u:p secretpw@h:6379')).toBe('redis://u:***@h:6379')
    expect(shown('redis://secretpw@h:6379')).toBe('redis://***@h:6379')
    expect(shown('rediss://u:sec%2Fretpw@h:6379/2')).toBe('rediss://u:***@h:6379/2')
  })
})
