import { readFileSync } from 'node:fs'
import { Type, type TSchema } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import { DURATION_HINT, parseDurationMs } from '../units/duration'
import { SIZE_HINT, parseSizeBytes } from '../units/size'
import { ConfigInput, UpstreamInput, type Config, type ConfigKey, type Scope, type UpstreamConfig } from './schema'

/** A configuration mistake; the message names the flag, variable or file key and what is wrong. */
export class ConfigError extends Error {}

/** What the command line asks for: serve (run), or one of the commands that do something else and exit. */
export type LoadResult = { kind: 'run' | 'health-check'; config: Config } | { kind: 'help' } | { kind: 'version' }

/** Asks a running server (the one this configuration describes) whether it is alive; see health-check.ts. */
const HEALTH_CHECK_FLAG = '--health-check'

type Source = 'flag' | 'env' | 'file'
type Raw = Record<string, unknown>

const KEYS = Object.keys(ConfigInput.properties) as ConfigKey[]
const PartialInput = Type.Partial(ConfigInput)
const SIZE_KEYS: ConfigKey[] = ['maxMemory', 'maxValueSize', 'maxKeySize', 'maxBodySize', 'maxHeaderSize']
/** Keys a flag may give more than once; the values accumulate (a variable takes them comma-separated). */
const LIST_KEYS: ConfigKey[] = ['upstream', 'tokens', 'corsOrigin']
/** Switches: a bare flag means true; a value must be true, false, 1 or 0. */
const BOOLEAN_KEYS: ConfigKey[] = ['allowUnauthenticated', 'publicMetrics', 'accessLog', 'recover']
/** Flags spelled otherwise than their key (the key is named after the variable FASTCACHE_TOKENS). */
const FLAG_NAMES: Partial<Record<ConfigKey, string>> = { tokens: '--token' }
/** Bun closes idle connections after at most 255 s. */
const MAX_IDLE_TIMEOUT_MS = 255_000
const DEFAULT_IDLE_TIMEOUT_MS = 30_000
const DEFAULT_SNAPSHOT_INTERVAL_MS = 5 * 60_000
/** Bun answers 431 to a header section over 16 KiB before any JS runs. */
const MAX_HEADER_BYTES = 16 * 1024
/** Durations where 0 means "off". */
const ZERO_MEANS_OFF_KEYS: ConfigKey[] = ['nearCacheTtl', 'snapshotInterval']
/** Keys with nested options, which only the config file can express. */
const FILE_ONLY_KEYS: ConfigKey[] = ['upstreams']

const UPSTREAM_DEFAULTS = { timeoutMs: 10_000, maxBodyBytes: 8 * 1024 * 1024 }

export const flagName = (key: string) => FLAG_NAMES[key as ConfigKey] ?? '--' + key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())
export const envName = (key: string) => 'FASTCACHE_' + key.replace(/[A-Z]/g, (c) => '_' + c).toUpperCase()

function describe(source: Source, key: string): string {
  if (source === 'flag') return flagName(key)
  if (source === 'env') return envName(key)
  return `config file key "${key}"`
}

/** What a valid value looks like, from the schema, for error messages. */
function hintFor(key: ConfigKey): string {
  const schema = ConfigInput.properties[key] as TSchema
  if (key === 'port') return 'an integer from 0 to 65535'
  if (key === 'logLevel') return 'one of debug, info, warn, error'
  if (key === 'fsync') return 'one of always, everysec, no'
  if (key === 'redisTimeout') return DURATION_HINT
  if (ZERO_MEANS_OFF_KEYS.includes(key)) return `0 or ${DURATION_HINT}`
  if (key === 'redis') return 'redis://[user:pass@]host:port[/db] or rediss://...'
  if (key === 'redisCluster') return 'host:port,host:port,...'
  if (key === 'defaultTtl') return DURATION_HINT
  if (key === 'tokens') return 'SCOPE:SECRET with scope read, write or admin and a secret of 16 or more printable characters'
  if (key === 'corsOrigin') return 'an origin such as https://app.example.com (scheme, host, optional port) or *'
  if (BOOLEAN_KEYS.includes(key)) return 'true or false (or the bare flag)'
  if (key === 'maxBatch' || key === 'maxHeaders' || key === 'maxConnections') {
    const s = schema as unknown as { minimum: number; maximum: number }
    return `an integer from ${s.minimum} to ${s.maximum}`
  }
  if (key === 'idleTimeout') return DURATION_HINT + ', at most 255s'
  if (key === 'upstream') return 'name=http(s)://host[:port][/path], the name made of letters, digits, _ and -'
  if (key === 'upstreams') {
    return 'an object of upstreams by name, each {"url": ..., and optional timeout, maxBodySize, defaultTtl, forwardHeaders, cacheAuthorized, ignoreCookies}'
  }
  if (schema.anyOf) return SIZE_HINT
  return 'a non-empty string'
}

/**
 * Resolves the configuration: flag beats environment beats config file beats default.
 * Each source is validated on its own against the same schema, so an error names where it came from.
 */
export function loadConfig(argv: string[], env: Record<string, string | undefined>, readFile = (path: string) => readFileSync(path, 'utf8')): LoadResult {
  const healthCheck = argv.includes(HEALTH_CHECK_FLAG)
  const flags = parseArgv(argv.filter((arg) => arg !== HEALTH_CHECK_FLAG))
  if (flags === 'help' || flags === 'version') return { kind: flags }
  const fromFlags = validate(flags, 'flag')
  const fromEnv = validate(readEnv(env), 'env')
  const configPath = (fromFlags.config ?? fromEnv.config) as string | undefined
  const fromFile = configPath === undefined ? {} : validate(readConfigFile(configPath, readFile), 'file')
  const merged: Raw = {}
  for (const key of KEYS) {
    const value = fromFlags[key] ?? fromEnv[key] ?? fromFile[key] ?? (ConfigInput.properties[key] as TSchema).default
    if (value !== undefined) merged[key] = value
  }
  return { kind: healthCheck ? 'health-check' : 'run', config: decode(merged, readFile) }
}

function parseArgv(argv: string[]): Raw | 'help' | 'version' {
  const raw: Raw = {}
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--help' || arg === '-h') return 'help'
    if (arg === '--version' || arg === '-v') return 'version'
    if (!arg.startsWith('--')) throw new ConfigError(`unexpected argument "${arg}" (flags start with --; see --help)`)
    const eq = arg.indexOf('=')
    const name = eq < 0 ? arg : arg.slice(0, eq)
    const key = KEYS.find((k) => flagName(k) === name)
    if (key === undefined) throw new ConfigError(`unknown flag ${name} (see --help)`)
    if (FILE_ONLY_KEYS.includes(key)) throw new ConfigError(`${name} can only be set in the config file (key "${key}")`)
    let value: string | undefined = eq < 0 ? undefined : arg.slice(eq + 1)
    if (value === undefined && BOOLEAN_KEYS.includes(key)) {
      raw[key] = 'true'
      continue
    }
    if (value === undefined) {
      value = argv[i + 1]
      if (value === undefined || value.startsWith('--')) throw new ConfigError(`${name} needs a value: ${hintFor(key)}`)
      i++
    }
    raw[key] = LIST_KEYS.includes(key) ? [...((raw[key] as string[] | undefined) ?? []), value] : value
  }
  return raw
}

function readEnv(env: Record<string, string | undefined>): Raw {
  const raw: Raw = {}
  for (const key of KEYS) {
    const value = env[envName(key)]
    if (value === undefined || value === '') continue
    if (FILE_ONLY_KEYS.includes(key)) throw new ConfigError(`${envName(key)} is not read: "${key}" can only be set in the config file`)
    raw[key] = LIST_KEYS.includes(key) ? value.split(',').map((item) => item.trim()) : value
  }
  return raw
}

function readConfigFile(path: string, readFile: (path: string) => string): Raw {
  let text: string
  try {
    text = readFile(path)
  } catch (error) {
    throw new ConfigError(`--config: cannot read ${path}: ${(error as Error).message}`)
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    throw new ConfigError(`--config: ${path} is not valid JSON: ${(error as Error).message}`)
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`--config: ${path} must hold a JSON object`)
  }
  const raw = parsed as Raw
  if ('config' in raw) throw new ConfigError(`config file key "config" is not allowed inside a config file`)
  return raw
}

function validate(raw: Raw, source: Source): Partial<Record<ConfigKey, unknown>> {
  for (const key of Object.keys(raw)) {
    if (!KEYS.includes(key as ConfigKey)) throw new ConfigError(`unknown ${describe(source, key)} (see --help)`)
  }
  const converted = convert(raw)
  const error = Value.Errors(PartialInput, converted).First()
  if (error) {
    const [, key, name, option] = error.path.split('/') as [string, ConfigKey, string?, string?]
    if (key === 'upstreams' && name !== undefined) throw new ConfigError(upstreamOptionError(name, option, error.value))
    throw new ConfigError(`${describe(source, key)}: expected ${hintFor(key)}, got ${JSON.stringify(raw[key])}`)
  }
  // Bounds the schema cannot express, checked here rather than in decode so the message names the source.
  for (const key of SIZE_KEYS) {
    if (converted[key] !== undefined && parseSizeBytes(converted[key]) === undefined) {
      throw new ConfigError(`${describe(source, key)}: ${JSON.stringify(raw[key])} is too large`)
    }
  }
  if (converted.defaultTtl !== undefined && parseDurationMs(converted.defaultTtl) === undefined) {
    throw new ConfigError(`${describe(source, 'defaultTtl')}: ${JSON.stringify(raw.defaultTtl)} is too long`)
  }
  if (converted.idleTimeout !== undefined && !((parseDurationMs(converted.idleTimeout) ?? Infinity) <= MAX_IDLE_TIMEOUT_MS)) {
    throw new ConfigError(`${describe(source, 'idleTimeout')}: ${JSON.stringify(raw.idleTimeout)} is longer than 255s`)
  }
  return converted
}

/**
 * Flags and variables arrive as strings: plain decimal digits become a number where the schema wants an integer.
 * Not Value.Convert: it also reads "1.5", "1e3", "0x50" and "true" as integers and truncates 80.5 to 80.
 */
function convert(raw: Raw): Raw {
  const converted: Raw = { ...raw }
  for (const [key, value] of Object.entries(raw)) {
    const schema = ConfigInput.properties[key as ConfigKey] as TSchema
    if (schema.type === 'integer' && typeof value === 'string' && /^[0-9]+$/.test(value)) converted[key] = Number(value)
    // 0 turns the near cache or timed snapshots off; from a flag or variable it arrives as "0".
    if (ZERO_MEANS_OFF_KEYS.includes(key as ConfigKey) && value === '0') converted[key] = 0
    if (schema.type === 'boolean' && typeof value === 'string') {
      if (value === 'true' || value === '1') converted[key] = true
      else if (value === 'false' || value === '0') converted[key] = false
    }
  }
  return converted
}

const UPSTREAM_OPTION_HINTS: Record<string, string> = {
  url: 'http(s)://host[:port][/path]',
  timeout: DURATION_HINT,
  maxBodySize: SIZE_HINT,
  defaultTtl: DURATION_HINT,
  forwardHeaders: 'an array of header names',
  cacheAuthorized: 'true or false',
  ignoreCookies: 'true or false',
}

function upstreamOptionError(name: string, option: string | undefined, value: unknown): string {
  const where = `config file key "upstreams.${name}${option === undefined ? '' : '.' + option}"`
  if (option === undefined || !(option in UPSTREAM_OPTION_HINTS)) {
    return `${where}: expected an object with "url" and only the options ${Object.keys(UpstreamInput.properties).join(', ')}`
  }
  return `${where}: expected ${UPSTREAM_OPTION_HINTS[option]}, got ${JSON.stringify(value)}`
}

/** Checks a base URL and drops its trailing slash; the message says what is wrong with it. */
function upstreamBaseUrl(where: string, input: string): string {
  let url: URL
  try {
    url = new URL(input)
  } catch {
    throw new ConfigError(`${where}: ${JSON.stringify(input)} is not a valid URL`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(`${where}: only http and https upstreams are supported`)
  if (url.username || url.password) throw new ConfigError(`${where}: credentials in the URL are not supported`)
  if (url.search || url.hash || input.includes('?') || input.includes('#')) throw new ConfigError(`${where}: the base URL cannot have a query or fragment`)
  return url.origin + url.pathname.replace(/\/+$/, '')
}

type UpstreamOptions = Partial<Record<'timeout' | 'maxBodySize' | 'defaultTtl', unknown>> & {
  url: string
  forwardHeaders?: string[]
  cacheAuthorized?: boolean
  ignoreCookies?: boolean
}

function decodeUpstream(name: string, options: UpstreamOptions, where: string): UpstreamConfig {
  const bounded = <T>(option: string, value: T | undefined): T => {
    if (value === undefined) throw new ConfigError(`${where}.${option}: ${JSON.stringify(options[option as keyof UpstreamOptions])} is too large`)
    return value
  }
  return {
    name,
    baseUrl: upstreamBaseUrl(where, options.url),
    timeoutMs: options.timeout === undefined ? UPSTREAM_DEFAULTS.timeoutMs : bounded('timeout', parseDurationMs(options.timeout)),
    maxBodyBytes: options.maxBodySize === undefined ? UPSTREAM_DEFAULTS.maxBodyBytes : bounded('maxBodySize', parseSizeBytes(options.maxBodySize)),
    defaultTtlMs: options.defaultTtl === undefined ? null : bounded('defaultTtl', parseDurationMs(options.defaultTtl)),
    forwardHeaders: options.forwardHeaders?.map((header) => header.toLowerCase()) ?? null,
    cacheAuthorized: options.cacheAuthorized ?? false,
    ignoreCookies: options.ignoreCookies ?? false,
  }
}

/** Upstreams from the `upstream` list (name=url) and the file's `upstreams` object; a name may appear once. */
function decodeUpstreams(list: string[], byName: Record<string, UpstreamOptions>): UpstreamConfig[] {
  const upstreams: UpstreamConfig[] = []
  const add = (upstream: UpstreamConfig, where: string) => {
    if (upstreams.some((other) => other.name === upstream.name)) throw new ConfigError(`${where}: the upstream "${upstream.name}" is defined twice`)
    upstreams.push(upstream)
  }
  for (const item of list) {
    const eq = item.indexOf('=')
    const name = item.slice(0, eq)
    add(decodeUpstream(name, { url: item.slice(eq + 1) }, `--upstream ${name}`), `--upstream ${name}`)
  }
  for (const [name, options] of Object.entries(byName)) {
    const where = `config file key "upstreams.${name}"`
    add(decodeUpstream(name, options, where), where)
  }
  return upstreams
}

const TOKEN_LINE = new RegExp(ConfigInput.properties.tokens.items.pattern as string)

/** Tokens from --token-file: one SCOPE:SECRET a line; blank lines and # comments are skipped. */
function readTokenFile(path: string, readFile: (path: string) => string): string[] {
  let text: string
  try {
    text = readFile(path)
  } catch (error) {
    throw new ConfigError(`--token-file: cannot read ${path}: ${(error as Error).message}`)
  }
  const tokens: string[] = []
  text.split('\n').forEach((line, index) => {
    const token = line.trim()
    if (token === '' || token.startsWith('#')) return
    if (!TOKEN_LINE.test(token)) throw new ConfigError(`--token-file: line ${index + 1} of ${path} is not ${hintFor('tokens')}`)
    tokens.push(token)
  })
  return tokens
}

const isLoopback = (host: string) => /^127\.\d+\.\d+\.\d+$/.test(host) || host === '::1' || host === '[::1]' || host === 'localhost'

/** Checks that a TLS file can be read now, so a typo stops the start with its name rather than a TLS error. */
function checkReadable(flag: string, path: string, readFile: (path: string) => string): string {
  try {
    readFile(path)
  } catch (error) {
    throw new ConfigError(`${flag}: cannot read ${path}: ${(error as Error).message}`)
  }
  return path
}

/** A validated duration of a ZERO_MEANS_OFF_KEYS key, in milliseconds (0: off). */
const durationOrOffMs = (value: unknown) => (value === 0 ? 0 : parseDurationMs(value)!)

const DEFAULT_NEAR_CACHE_TTL_MS = 5000
const DEFAULT_REDIS_TIMEOUT_MS = 1000

function decodeTier(input: Raw): Config['tier'] {
  if (input.redis === undefined && input.redisCluster === undefined) return null
  const redis =
    input.redis !== undefined
      ? { url: input.redis as string }
      : {
          cluster: (input.redisCluster as string).split(',').map((node) => {
            const colon = node.lastIndexOf(':')
            return { host: node.slice(0, colon), port: Number(node.slice(colon + 1)) }
          }),
        }
  const near = input.nearCacheTtl
  return {
    redis,
    nearCacheTtlMs: near === undefined ? DEFAULT_NEAR_CACHE_TTL_MS : durationOrOffMs(near),
    redisTimeoutMs: input.redisTimeout === undefined ? DEFAULT_REDIS_TIMEOUT_MS : parseDurationMs(input.redisTimeout)!,
  }
}

function decode(input: Raw, readFile: (path: string) => string): Config {
  // Every value was checked by validate (or is a schema default), so parsing cannot fail here.
  const size = (key: ConfigKey) => parseSizeBytes(input[key])!
  const defaultTtlMs = input.defaultTtl === undefined ? null : parseDurationMs(input.defaultTtl)!
  const tokenLines = [...((input.tokens as string[] | undefined) ?? []), ...(input.tokenFile === undefined ? [] : readTokenFile(input.tokenFile as string, readFile))]
  const tokens = tokenLines.map((line) => {
    const colon = line.indexOf(':')
    return { scope: line.slice(0, colon) as Scope, secret: line.slice(colon + 1) }
  })
  const host = input.host as string
  const allowUnauthenticated = (input.allowUnauthenticated as boolean | undefined) ?? false
  // Protected mode, as Redis has it: an open cache on a reachable address is a mistake until said otherwise.
  if (tokens.length === 0 && !allowUnauthenticated && !isLoopback(host)) {
    throw new ConfigError(`refusing to listen on ${host} without access tokens: give --token or --token-file, or --allow-unauthenticated to serve anyone who can connect`)
  }
  if ((input.tlsCert === undefined) !== (input.tlsKey === undefined)) throw new ConfigError('--tls-cert and --tls-key go together: give both or neither')
  const tls =
    input.tlsCert === undefined
      ? null
      : { certFile: checkReadable('--tls-cert', input.tlsCert as string, readFile), keyFile: checkReadable('--tls-key', input.tlsKey as string, readFile) }
  if (size('maxHeaderSize') > MAX_HEADER_BYTES) throw new ConfigError('--max-header-size: at most 16kb, the runtime refuses larger header sections itself')
  if (input.redis !== undefined && input.redisCluster !== undefined) throw new ConfigError('--redis and --redis-cluster exclude each other: give one')
  if ((input.redis !== undefined || input.redisCluster !== undefined) && input.dataDir !== undefined) {
    throw new ConfigError('--data-dir does not go with --redis or --redis-cluster: the shared tier is Redis, which persists by its own settings')
  }
  if (size('maxValueSize') > size('maxBodySize')) throw new ConfigError('--max-value-size cannot exceed --max-body-size: such a value could never be sent')
  return {
    tokens,
    allowUnauthenticated,
    publicMetrics: (input.publicMetrics as boolean | undefined) ?? false,
    accessLog: (input.accessLog as boolean | undefined) ?? false,
    tls,
    maxBodyBytes: size('maxBodySize'),
    maxBatch: input.maxBatch as number,
    maxHeaders: input.maxHeaders as number,
    maxHeaderBytes: size('maxHeaderSize'),
    idleTimeoutSeconds: Math.ceil((input.idleTimeout === undefined ? DEFAULT_IDLE_TIMEOUT_MS : parseDurationMs(input.idleTimeout)!) / 1000),
    maxConnections: input.maxConnections as number,
    corsOrigins: (input.corsOrigin as string[] | undefined) ?? [],
    tier: decodeTier(input),
    persistence:
      input.dataDir === undefined
        ? null
        : {
            dir: input.dataDir as string,
            snapshotIntervalMs:
              input.snapshotInterval === undefined ? DEFAULT_SNAPSHOT_INTERVAL_MS : durationOrOffMs(input.snapshotInterval),
            fsync: input.fsync as 'always' | 'everysec' | 'no',
            recover: (input.recover as boolean | undefined) ?? false,
          },
    host,
    port: input.port as number,
    maxMemoryBytes: size('maxMemory'),
    maxValueBytes: size('maxValueSize'),
    maxKeyBytes: size('maxKeySize'),
    defaultTtlMs,
    upstreams: decodeUpstreams((input.upstream as string[] | undefined) ?? [], (input.upstreams as Record<string, UpstreamOptions> | undefined) ?? {}),
    logLevel: input.logLevel as Config['logLevel'],
  }
}
