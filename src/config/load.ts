import { readFileSync } from 'node:fs'
import { isIP } from 'node:net'
import { Type, type TSchema } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import { ENTRY_OVERHEAD_BYTES } from '../cache'
import { parseDurationMs } from '../units/duration'
import { formatSize, parseSizeBytes } from '../units/size'
import { ConfigError } from './errors'
import { formatMs, hintOf } from './hints'
import { maskUrlSetting, ordinal } from './mask'
import { describeSetting, type Source } from './names'
import { ConfigInput, UpstreamInput, settingSchema, type Config, type ConfigKey, type Scope, type UpstreamConfig } from './schema'
import { KEYS, parseArgv, readConfigFile, readEnv, type Command, type Raw } from './sources'

export { ConfigError } from './errors'
export { envName, flagName, type Source } from './names'

/** What was loaded besides the configuration: where each value came from, and what deserves a warning. */
export interface LoadReport {
  /** The merged input values (as given, before units are decoded), by key; unset keys are absent. */
  input: Partial<Record<ConfigKey, unknown>>
  sources: Record<ConfigKey, Source>
  /** Unknown variables, renamed settings: logged at start, printed by --check-config. */
  warnings: string[]
}

/** What the command line asks for: serve (run), one of the commands that use the configuration, or help/version. */
export type LoadResult =
  | { kind: Exclude<Command, 'help' | 'version'> | 'run'; config: Config; report: LoadReport }
  | { kind: 'help' | 'version' }

/**
 * Resolves the configuration: flag beats environment beats config file beats default.
 * Each source is validated on its own against the same schema, so an error names where it came from.
 */
export function loadConfig(
  argv: string[],
  env: Record<string, string | undefined>,
  readFile = (path: string) => readFileSync(path, 'utf8'),
): LoadResult {
  const warnings: string[] = []
  try {
    return loadWith(argv, env, readFile, warnings)
  } catch (error) {
    if (error instanceof ConfigError) error.warnings = warnings
    throw error
  }
}

function loadWith(
  argv: string[],
  env: Record<string, string | undefined>,
  readFile: (path: string) => string,
  warnings: string[],
): LoadResult {
  const { raw: flags, command } = parseArgv(argv, warnings)
  if (command === 'help' || command === 'version') return { kind: command }
  // The environment is read first, so its warnings (a misspelt variable) come out even when a flag is wrong.
  const fromEnv = readEnv(env, warnings)
  const given: [Source, Partial<Record<ConfigKey, unknown>>][] = [
    ['flag', validate(flags, 'flag')],
    ['env', validate(fromEnv, 'env')],
  ]
  const configPath = (given[0]![1].config ?? given[1]![1].config) as string | undefined
  given.push(['file', configPath === undefined ? {} : validate(readConfigFile(configPath, readFile, warnings), 'file')])
  const input: Raw = {}
  const sources = {} as Record<ConfigKey, Source>
  for (const key of KEYS) {
    const [source, value] = given.map(([source, values]) => [source, values[key]] as const).find(([, value]) => value !== undefined) ?? [
      'default',
      settingSchema(key).default,
    ]
    sources[key] = source
    if (value !== undefined) input[key] = value
  }
  return { kind: command ?? 'run', config: decode(input, readFile), report: { input, sources, warnings } }
}

/** Every key's schema made optional, so each source validates only what it sets. */
const SourceSchema = Type.Partial(ConfigInput)

function validate(raw: Raw, source: Source): Partial<Record<ConfigKey, unknown>> {
  for (const key of Object.keys(raw)) {
    if (!KEYS.includes(key as ConfigKey)) throw new ConfigError(`unknown ${describeSetting(source, key)} (see --help)`)
  }
  const converted = convert(raw)
  const error = Value.Errors(SourceSchema, converted).First()
  if (error) {
    const [, key, name, option] = error.path.split('/') as [string, ConfigKey, string?, string?]
    if (key === 'upstreams' && name !== undefined) throw new ConfigError(upstreamOptionError(name, option, error.value))
    throw new ConfigError(`${describeSetting(source, key)}: expected ${hintOf(settingSchema(key))}, ${shown(key, raw[key], name)}`)
  }
  // Bounds the schema cannot express (the value in units), checked here so the message names the source.
  for (const key of KEYS) {
    const schema = settingSchema(key)
    if (converted[key] === undefined || converted[key] === 0 || schema.unit === undefined) continue
    const value = schema.unit === 'size' ? parseSizeBytes(converted[key]) : parseDurationMs(converted[key])
    const what = `${describeSetting(source, key)}: ${JSON.stringify(raw[key])}`
    if (value === undefined) throw new ConfigError(`${what} is too ${schema.unit === 'size' ? 'large' : 'long'}`)
    if (schema.max !== undefined && value > schema.max) {
      throw new ConfigError(
        `${what} is more than ${schema.unit === 'size' ? formatSize(schema.max) : formatMs(schema.max)}, ${schema.maxReason ?? 'the most the runtime allows'}`,
      )
    }
  }
  return converted
}

/**
 * What an error says it got: the value, or for a secret which item it was and its scope, never
 * the secret itself; a URL without its password.
 */
function shown(key: ConfigKey, value: unknown, index: string | undefined): string {
  const sensitive = settingSchema(key).sensitive
  if (sensitive === 'url') return `got ${JSON.stringify(maskUrlSetting(String(value)))}`
  if (sensitive !== 'secret') return `got ${JSON.stringify(value)}`
  const items = Array.isArray(value) ? value : [value]
  const position = index === undefined ? 0 : Number(index)
  const item = String(items[position] ?? '')
  const scope = item.includes(':') ? `scope "${item.slice(0, item.indexOf(':'))}"` : 'no scope'
  return `got a ${ordinal(position + 1)} value with ${scope} and ${Math.max(0, item.length - item.indexOf(':') - 1)} characters after it (not shown)`
}

/**
 * Flags and variables arrive as strings: plain decimal digits become a number where the schema wants an integer.
 * Not Value.Convert: it also reads "1.5", "1e3", "0x50" and "true" as integers and truncates 80.5 to 80.
 */
function convert(raw: Raw): Raw {
  const converted: Raw = { ...raw }
  for (const [key, value] of Object.entries(raw)) {
    const schema = settingSchema(key)
    if (schema === undefined || typeof value !== 'string') continue
    if (schema.type === 'integer' && /^[0-9]+$/.test(value)) converted[key] = Number(value)
    // 0 turns a feature off (near cache, timed snapshots); from a flag or variable it arrives as "0".
    if (value === '0' && (schema.anyOf as TSchema[] | undefined)?.some((variant) => variant.const === 0)) converted[key] = 0
    if (schema.type === 'boolean') {
      if (value === 'true' || value === '1') converted[key] = true
      else if (value === 'false' || value === '0') converted[key] = false
    }
  }
  return converted
}

function upstreamOptionError(name: string, option: string | undefined, value: unknown): string {
  const where = `config file key "upstreams.${name}${option === undefined ? '' : `.${option}`}"`
  const schema = option === undefined ? undefined : (UpstreamInput.properties as Record<string, TSchema>)[option]
  if (schema === undefined)
    return `${where}: expected an object with "url" and only the options ${Object.keys(UpstreamInput.properties).join(', ')}`
  return `${where}: expected ${hintOf(schema)}, got ${JSON.stringify(value)}`
}

/** Checks a base URL and drops its trailing slash; the message says what is wrong with it. */
function upstreamBaseUrl(where: string, input: string): string {
  let url: URL
  try {
    url = new URL(input)
  } catch {
    throw new ConfigError(`${where}: ${JSON.stringify(maskUrlSetting(input))} is not a valid URL`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(`${where}: only http and https upstreams are supported`)
  if (url.username || url.password) throw new ConfigError(`${where}: credentials in the URL are not supported`)
  if (url.search || url.hash || input.includes('?') || input.includes('#'))
    throw new ConfigError(`${where}: the base URL cannot have a query or fragment`)
  return url.origin + url.pathname.replace(/\/+$/, '')
}

type UpstreamOptions = Partial<Record<'timeout' | 'maxBodySize' | 'defaultTtl' | 'maxHeuristicTtl' | 'staleOnError', unknown>> & {
  url: string
  forwardHeaders?: string[]
  cacheAuthorized?: boolean
  ignoreCookies?: boolean
  targetedFields?: string[]
  storeSetCookie?: boolean
}

const upstreamDefault = (option: keyof typeof UpstreamInput.properties) => (UpstreamInput.properties[option] as TSchema).default

function decodeUpstream(name: string, options: UpstreamOptions, where: string): UpstreamConfig {
  const bounded = <T>(option: string, value: T | undefined): T => {
    if (value === undefined)
      throw new ConfigError(`${where}.${option}: ${JSON.stringify(options[option as keyof UpstreamOptions])} is too large`)
    return value
  }
  // A duration where 0 turns the feature off.
  const offOr = (option: string, value: unknown) => (value === 0 ? 0 : bounded(option, parseDurationMs(value)))
  return {
    name,
    baseUrl: upstreamBaseUrl(where, options.url),
    timeoutMs: bounded('timeout', parseDurationMs(options.timeout ?? upstreamDefault('timeout'))),
    maxBodyBytes: bounded('maxBodySize', parseSizeBytes(options.maxBodySize ?? upstreamDefault('maxBodySize'))),
    defaultTtlMs: options.defaultTtl === undefined ? null : bounded('defaultTtl', parseDurationMs(options.defaultTtl)),
    staleOnErrorMs: offOr('staleOnError', options.staleOnError ?? upstreamDefault('staleOnError')),
    maxHeuristicTtlMs: offOr('maxHeuristicTtl', options.maxHeuristicTtl ?? upstreamDefault('maxHeuristicTtl')),
    forwardHeaders: options.forwardHeaders?.map((header) => header.toLowerCase()) ?? null,
    cacheAuthorized: options.cacheAuthorized ?? upstreamDefault('cacheAuthorized'),
    ignoreCookies: options.ignoreCookies ?? upstreamDefault('ignoreCookies'),
    storeSetCookie: options.storeSetCookie ?? upstreamDefault('storeSetCookie'),
    targetedFields: (options.targetedFields ?? (upstreamDefault('targetedFields') as string[])).map((name) => name.toLowerCase()),
  }
}

/** Upstreams from the `upstream` list (name=url) and the file's `upstreams` object; a name may appear once. */
function decodeUpstreams(list: string[], byName: Record<string, UpstreamOptions>): UpstreamConfig[] {
  const upstreams: UpstreamConfig[] = []
  const add = (upstream: UpstreamConfig, where: string) => {
    if (upstreams.some((other) => other.name === upstream.name))
      throw new ConfigError(`${where}: the upstream "${upstream.name}" is defined twice`)
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
    if (!TOKEN_LINE.test(token))
      throw new ConfigError(`--token-file: line ${index + 1} of ${path} is not ${hintOf(settingSchema('tokens'))} (the line is not shown)`)
    tokens.push(token)
  })
  return tokens
}

const isLoopback = (host: string) => /^127\.\d+\.\d+\.\d+$/.test(host) || host === '::1' || host === '[::1]' || host === 'localhost'
const HOST_NAME = /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/

/** An address to listen on: an IPv4 or IPv6 address (brackets allowed) or a host name (not one that starts like an IPv4 address). */
function checkHost(host: string): string {
  const unbracketed = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host
  if (isIP(unbracketed) !== 0 || (unbracketed === host && HOST_NAME.test(host) && !/^[0-9]+\./.test(host))) return host
  throw new ConfigError(`--host: ${JSON.stringify(host)} is not an IP address or a host name`)
}

/** Checks that a TLS file can be read now, so a typo stops the start with its name rather than a TLS error. */
function checkReadable(flag: string, path: string, readFile: (path: string) => string): string {
  try {
    readFile(path)
  } catch (error) {
    throw new ConfigError(`${flag}: cannot read ${path}: ${(error as Error).message}`)
  }
  return path
}

/**
 * A --redis URL the client can take: host, optional port and database number, nothing after. A
 * malformed one is refused without being shown, since its password could sit anywhere in it (a
 * password with an unencoded '/', '#' or '?' ends the authority early and turns into a port or path).
 */
function checkRedisUrl(value: string): string {
  const refuse = (what: string) =>
    new ConfigError(
      `--redis ${what} (the URL is not shown: it may hold a password); give redis[s]://[user:pass@]host[:port][/db], with ` +
        'reserved characters in the user name or password percent-encoded (%2F for /, %23 for #, %3F for ?, %40 for @, %20 for a space)',
    )
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw refuse('is not a valid URL')
  }
  if (url.hostname === '') throw refuse('names no host')
  if (!/^\/?\d*$/.test(url.pathname)) throw refuse('has a path that is not a database number')
  if (url.search !== '' || url.hash !== '') throw refuse("has a '?' or '#' part")
  return value
}

/** A validated duration in milliseconds; 0 where 0 means off. */
const durationMs = (value: unknown) => (value === 0 ? 0 : parseDurationMs(value)!)

function decodeTier(input: Raw): Config['tier'] {
  if (input.redis === undefined && input.redisCluster === undefined) return null
  const redis =
    input.redis !== undefined
      ? { url: checkRedisUrl(input.redis as string) }
      : {
          cluster: (input.redisCluster as string).split(',').map((node) => {
            const colon = node.lastIndexOf(':')
            return { host: node.slice(0, colon), port: Number(node.slice(colon + 1)) }
          }),
        }
  return { redis, nearCacheTtlMs: durationMs(input.nearCacheTtl), redisTimeoutMs: durationMs(input.redisTimeout) }
}

function decode(input: Raw, readFile: (path: string) => string): Config {
  // Every value was checked by validate (or is a schema default), so parsing cannot fail here.
  const size = (key: ConfigKey) => parseSizeBytes(input[key])!
  const tokenLines = [
    ...(input.tokens as string[]),
    ...(input.tokenFile === undefined ? [] : readTokenFile(input.tokenFile as string, readFile)),
  ]
  const tokens = tokenLines.map((line) => {
    const colon = line.indexOf(':')
    return { scope: line.slice(0, colon) as Scope, secret: line.slice(colon + 1) }
  })
  const host = checkHost(input.host as string)
  const allowUnauthenticated = input.allowUnauthenticated as boolean
  // Protected mode, as Redis has it: an open cache on a reachable address is a mistake until said otherwise.
  if (tokens.length === 0 && !allowUnauthenticated && !isLoopback(host)) {
    throw new ConfigError(
      `refusing to listen on ${host} without access tokens: give --token or --token-file, or --allow-unauthenticated to serve anyone who can connect`,
    )
  }
  if ((input.tlsCert === undefined) !== (input.tlsKey === undefined))
    throw new ConfigError('--tls-cert and --tls-key go together: give both or neither')
  const tls =
    input.tlsCert === undefined
      ? null
      : {
          certFile: checkReadable('--tls-cert', input.tlsCert as string, readFile),
          keyFile: checkReadable('--tls-key', input.tlsKey as string, readFile),
        }
  if (input.redis !== undefined && input.redisCluster !== undefined)
    throw new ConfigError('--redis and --redis-cluster exclude each other: give one')
  if ((input.redis !== undefined || input.redisCluster !== undefined) && input.dataDir !== undefined) {
    throw new ConfigError(
      '--data-dir does not go with --redis or --redis-cluster: the shared tier is Redis, which persists by its own settings',
    )
  }
  if (size('maxValueSize') > size('maxBodySize'))
    throw new ConfigError('--max-value-size cannot exceed --max-body-size: such a value could never be sent')
  const largestEntry = size('maxKeySize') + size('maxValueSize') + ENTRY_OVERHEAD_BYTES
  if (size('maxMemory') < largestEntry) {
    throw new ConfigError(
      `--max-memory ${formatSize(size('maxMemory'))} cannot hold one entry of the largest size allowed ` +
        `(--max-key-size + --max-value-size + ${ENTRY_OVERHEAD_BYTES} bytes of overhead = ${largestEntry} bytes): raise --max-memory or lower --max-value-size`,
    )
  }
  return {
    tokens,
    allowUnauthenticated,
    publicMetrics: input.publicMetrics as boolean,
    accessLog: input.accessLog as boolean,
    tls,
    maxBodyBytes: size('maxBodySize'),
    maxBatch: input.maxBatch as number,
    maxHeaders: input.maxHeaders as number,
    maxHeaderBytes: size('maxHeaderSize'),
    readTimeoutSeconds: Math.ceil(durationMs(input.readTimeout) / 1000),
    maxConnections: input.maxConnections as number,
    corsOrigins: input.corsOrigin as string[],
    tier: decodeTier(input),
    persistence:
      input.dataDir === undefined
        ? null
        : {
            dir: input.dataDir as string,
            snapshotIntervalMs: durationMs(input.snapshotInterval),
            fsync: input.fsync as 'always' | 'everysec' | 'no',
            recover: input.recover as boolean,
          },
    host,
    port: input.port as number,
    maxMemoryBytes: size('maxMemory'),
    maxValueBytes: size('maxValueSize'),
    maxKeyBytes: size('maxKeySize'),
    defaultTtlMs: input.defaultTtl === undefined ? null : parseDurationMs(input.defaultTtl)!,
    upstreams: decodeUpstreams(input.upstream as string[], input.upstreams as Record<string, UpstreamOptions>),
    logLevel: input.logLevel as Config['logLevel'],
  }
}
