import { Type, type Static, type TSchema } from '@sinclair/typebox'
import { MAX_KEY_BYTES } from '../cache'

/**
 * The one schema every configuration source is validated against: command-line flags, FASTCACHE_*
 * environment variables and the JSON config file. Values are given as users write them (sizes and
 * durations may carry units); `load.ts` turns them into numbers after validation.
 *
 * Everything about a setting lives here, once: its type, its default, its description, and what the
 * loader, the help and the messages need beyond the type (marked with the options below). Help text,
 * error hints and test support derive from it.
 */

/** Options this project adds to a schema node; TypeBox keeps unknown options and ignores them. */
export interface SettingOptions {
  /** A size in bytes ("256mb") or a duration ("30s"): parsed, bounded and described as such. */
  unit?: 'size' | 'duration'
  /** The largest value allowed, in bytes or milliseconds, where the runtime or the engine sets one. */
  max?: number
  /** What sets `max`, for the message that refuses more (default: the runtime). */
  maxReason?: string
  /** What a valid value looks like, where the type alone cannot say it (patterns). */
  hint?: string
  /** Never printed as given: `secret` values are masked, `url` values lose their password. */
  sensitive?: 'secret' | 'url'
  /** A flag that may be given more than once; the variable takes a comma-separated list. */
  list?: boolean
  /** Only the config file can set it (nested options). */
  fileOnly?: boolean
  /** A flag spelled otherwise than its key. */
  flag?: string
}

type Described = { description: string; default?: unknown } & SettingOptions

const SIZE_PATTERN = '^0*[1-9][0-9]*([bB]|[kKmMgG][bB])?$'
const DURATION_PATTERN = '^[1-9][0-9]*(ms|s|m|h|d)?$'

const size = (options: Described) =>
  Type.Union([Type.Integer({ minimum: 1 }), Type.String({ pattern: SIZE_PATTERN })], { unit: 'size', ...options })
const duration = (options: Described) =>
  Type.Union([Type.Integer({ minimum: 1 }), Type.String({ pattern: DURATION_PATTERN })], { unit: 'duration', ...options })
/** A duration where 0 turns the feature off. */
const durationOrOff = (options: Described) =>
  Type.Union([Type.Literal(0), Type.Integer({ minimum: 1 }), Type.String({ pattern: DURATION_PATTERN })], { unit: 'duration', ...options })
const flag = (options: Described) => Type.Boolean({ default: false, ...options })
const oneOf = <T extends string>(values: readonly T[], options: Described) =>
  Type.Union(
    values.map((value) => Type.Literal(value)),
    options,
  )

const UPSTREAM_NAME = '[A-Za-z0-9][A-Za-z0-9_-]{0,63}'
const HEADER_NAME = "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$"

/** Per-upstream options of the proxy; only the config file's `upstreams` object can set them. */
export const UpstreamInput = Type.Object(
  {
    url: Type.String({ pattern: '^https?://', description: 'base URL', hint: 'http(s)://host[:port][/path]' }),
    timeout: Type.Optional(duration({ description: 'how long one upstream request may take', default: '10s' })),
    maxBodySize: Type.Optional(size({ description: 'largest response body stored; larger ones pass through unstored', default: '8mb' })),
    defaultTtl: Type.Optional(duration({ description: 'freshness of responses that carry none (unset: they are stored stale)' })),
    forwardHeaders: Type.Optional(
      Type.Array(Type.String({ pattern: HEADER_NAME }), {
        description:
          'allow-list of request headers sent upstream; "*" for every end-to-end one (unset: every end-to-end header' +
          ' but the unkeyed ones such as X-Forwarded-Host, which are sent only when listed)',
        hint: 'an array of header names',
      }),
    ),
    cacheAuthorized: Type.Optional(
      flag({
        description:
          'let requests with Authorization use the cache as RFC 9111 3.5 allows: stored and shared only when the response says' +
          ' public, s-maxage or must-revalidate (false: they bypass it)',
        default: true,
      }),
    ),
    ignoreCookies: Type.Optional(
      flag({ description: 'let requests with Cookie use the cache, sending no Cookie with requests made for it (false: bypass)' }),
    ),
    storeSetCookie: Type.Optional(
      flag({
        description:
          'store responses with Set-Cookie (cookie included) and send them to every client, as RFC 9111 allows (false: not stored)',
      }),
    ),
    staleOnError: Type.Optional(
      durationOrOff({
        description:
          'how long past its freshness a stored response may answer while the upstream cannot be reached (RFC 9111 4.2.4),' +
          ' unless it says must-revalidate, proxy-revalidate, no-cache or s-maxage (0: only with stale-if-error)',
        default: '1m',
      }),
    ),
    maxHeuristicTtl: Type.Optional(
      durationOrOff({
        description:
          'longest heuristic freshness (a tenth of the time since Last-Modified, RFC 9111 4.2.2) of responses without explicit' +
          ' freshness or a defaultTtl (0: none)',
        default: '1d',
      }),
    ),
    targetedFields: Type.Optional(
      Type.Array(Type.String({ pattern: HEADER_NAME }), {
        description:
          'targeted cache-control fields (RFC 9213) that rule responses instead of Cache-Control and Expires, the first valid one' +
          ' winning ([] for none)',
        hint: 'an array of header names',
        default: ['CDN-Cache-Control'],
      }),
    ),
  },
  { additionalProperties: false },
)

export const ConfigInput = Type.Object(
  {
    host: Type.String({ minLength: 1, description: 'address to listen on (an IP address or a host name)', default: '127.0.0.1' }),
    port: Type.Integer({ minimum: 0, maximum: 65535, description: 'TCP port (0 picks a free one)', default: 7070 }),
    maxMemory: size({
      description: 'memory bound of the cache; it must hold one entry of the largest key and value allowed',
      default: '256mb',
    }),
    maxValueSize: size({ description: 'largest value accepted', default: '1mb' }),
    // The engine keeps a key's length in 16 bits and refuses longer keys, so more could never be stored.
    maxKeySize: size({
      description: 'largest key accepted, in UTF-8 bytes',
      default: '512',
      max: MAX_KEY_BYTES,
      maxReason: 'the longest key the engine stores',
    }),
    defaultTtl: duration({ description: 'TTL of entries written without one (unset: none)' }),
    logLevel: oneOf(['debug', 'info', 'warn', 'error'], { description: 'least severe level logged', default: 'info' }),
    upstream: Type.Array(Type.String({ pattern: `^${UPSTREAM_NAME}=https?://` }), {
      description: 'proxied upstream as name=http(s)://host[/path], repeatable (env: comma-separated)',
      hint: 'name=http(s)://host[:port][/path], the name made of letters, digits, _ and -',
      list: true,
      default: [],
    }),
    upstreams: Type.Record(Type.String({ pattern: `^${UPSTREAM_NAME}$` }), UpstreamInput, {
      description: 'config file only: upstreams by name with their options',
      hint: `an object of upstreams by name, each {"url": ..., and optional ${Object.keys(UpstreamInput.properties)
        .filter((key) => key !== 'url')
        .join(', ')}}`,
      fileOnly: true,
      default: {},
    }),
    tokens: Type.Array(Type.String({ pattern: '^(read|write|admin):[\\x21-\\x7e]{16,}$' }), {
      description: 'access token SCOPE:SECRET (scope read, write or admin; secret 16+ printable characters), repeatable',
      hint: 'SCOPE:SECRET with scope read, write or admin and a secret of 16 or more printable characters',
      sensitive: 'secret',
      list: true,
      flag: '--token',
      default: [],
    }),
    tokenFile: Type.String({
      minLength: 1,
      description: 'file of SCOPE:SECRET lines (# comments), so secrets stay out of process listings',
    }),
    allowUnauthenticated: flag({ description: 'serve without tokens on a non-loopback address' }),
    publicMetrics: flag({ description: 'serve /metrics, /v1/stats, /openapi/json and /dashboard/data without a token' }),
    accessLog: flag({
      description: 'log one JSON line per request (method, route, status, bytes, duration, remote address; the path only at debug)',
    }),
    tlsCert: Type.String({ minLength: 1, description: 'PEM certificate (chain) file: serve HTTPS (with --tls-key)' }),
    tlsKey: Type.String({ minLength: 1, description: 'PEM private key file for --tls-cert' }),
    maxBodySize: size({ description: 'largest request body; refused with 413 before it is read', default: '8mb' }),
    maxBatch: Type.Integer({ minimum: 1, maximum: 100_000, description: 'most operations in one batch', default: 1000 }),
    maxHeaders: Type.Integer({
      minimum: 1,
      maximum: 198,
      description: "most request header fields (198 is the runtime's own bound)",
      default: 198,
    }),
    // Bun answers 431 to a header section over 16 KiB before any JS runs.
    maxHeaderSize: size({
      description: "most bytes of request header fields (the runtime's own bound is 16kb)",
      default: '16kb',
      max: 16 * 1024,
    }),
    // Bun's timer: reset by what the server sends, not by what it receives, so a request (body included)
    // must arrive within it; Bun allows at most 255 s.
    readTimeout: duration({
      description:
        'close a connection when a request (headers and body) takes longer to arrive, or when it sits idle this long between requests',
      default: '30s',
      max: 255_000,
    }),
    maxConnections: Type.Integer({
      minimum: 1,
      maximum: 1_000_000,
      description: 'most requests in flight at once; more get 503',
      default: 10_000,
    }),
    corsOrigin: Type.Array(Type.String({ pattern: '^(\\*|https?://[^/\\s]+)$' }), {
      description: 'origin allowed by CORS (http(s)://host[:port] or *), repeatable; CORS is off without one',
      hint: 'an origin such as https://app.example.com (scheme, host, optional port) or *',
      list: true,
      default: [],
    }),
    dataDir: Type.String({ minLength: 1, description: 'directory for snapshots and the journal: turns persistence on' }),
    snapshotInterval: durationOrOff({
      description: 'take a snapshot this often when anything changed (0: never, only on demand and at stop)',
      default: '5m',
    }),
    fsync: oneOf(['always', 'everysec', 'no'], {
      description: 'journal fsync: always (before each write is acknowledged), everysec, or no (the OS decides)',
      default: 'everysec',
    }),
    recover: flag({ description: 'skip damaged records in a data file (kept aside as *.damaged-TIME) instead of refusing to start' }),
    redis: Type.String({
      pattern: '^rediss?://',
      description: 'shared tier: a standalone Redis, redis[s]://[user:pass@]host:port[/db]',
      hint: 'redis://[user:pass@]host:port[/db] or rediss://...',
      sensitive: 'url',
    }),
    redisCluster: Type.String({
      pattern: '^[^,\\s]+:[0-9]+(,[^,\\s]+:[0-9]+)*$',
      description: 'shared tier: a Redis Cluster, host:port,host:port,...',
      hint: 'host:port,host:port,...',
    }),
    nearCacheTtl: durationOrOff({
      description: 'how long an instance keeps its own copy of a shared entry (0: no near cache)',
      default: '5s',
    }),
    redisTimeout: duration({ description: 'longest wait on Redis before answering without it', default: '1s' }),
    config: Type.String({ minLength: 1, description: 'JSON config file (keys are the flags in camelCase)' }),
  },
  { additionalProperties: false },
)

export type ConfigInput = Static<typeof ConfigInput>
export type ConfigKey = keyof ConfigInput

/** A setting's schema node with this project's options. */
export const settingSchema = (key: string): TSchema & SettingOptions =>
  (ConfigInput.properties as Record<string, TSchema>)[key] as TSchema & SettingOptions

/** Old names still read, with a warning naming the new one. */
export const RENAMED: Record<string, { key: ConfigKey; why: string }> = {
  idleTimeout: {
    key: 'readTimeout',
    why: 'it bounds how long a request takes to arrive, which the runtime does not reset while a body streams in',
  },
}

/** The server's configuration after validation, with sizes in bytes and durations in milliseconds. */
export interface Config {
  host: string
  port: number
  maxMemoryBytes: number
  maxValueBytes: number
  maxKeyBytes: number
  defaultTtlMs: number | null
  logLevel: 'debug' | 'info' | 'warn' | 'error'
  upstreams: UpstreamConfig[]
  /** Access tokens from --token, FASTCACHE_TOKENS, the file's tokens and --token-file; empty means no access control. */
  tokens: { scope: Scope; secret: string }[]
  allowUnauthenticated: boolean
  publicMetrics: boolean
  accessLog: boolean
  tls: { certFile: string; keyFile: string } | null
  maxBodyBytes: number
  maxBatch: number
  maxHeaders: number
  maxHeaderBytes: number
  readTimeoutSeconds: number
  maxConnections: number
  corsOrigins: string[]
  /** The shared tier, or null for a single instance. */
  tier: { redis: { url: string } | { cluster: { host: string; port: number }[] }; nearCacheTtlMs: number; redisTimeoutMs: number } | null
  /** Persistence, or null when --data-dir is not given. */
  persistence: { dir: string; snapshotIntervalMs: number; fsync: 'always' | 'everysec' | 'no'; recover: boolean } | null
}

export type Scope = 'read' | 'write' | 'admin'

/** One proxied upstream after validation. */
export interface UpstreamConfig {
  name: string
  /** The base URL, without a trailing slash: request paths are appended to it. */
  baseUrl: string
  timeoutMs: number
  maxBodyBytes: number
  defaultTtlMs: number | null
  /** Lower-case names of the request headers sent upstream ('*': every end-to-end one), or null for the default. */
  forwardHeaders: string[] | null
  cacheAuthorized: boolean
  /** Requests with Cookie use the cache (and the cookie is not sent when filling it), instead of bypassing it. */
  ignoreCookies: boolean
  /** Responses with Set-Cookie are stored, cookie included (RFC 9111), instead of passed through unstored. */
  storeSetCookie: boolean
  /** How long past its freshness a stored response may stand in while the upstream cannot be reached; 0: only with stale-if-error. */
  staleOnErrorMs: number
  /** The heuristic freshness's cap (RFC 9111 section 4.2.2); 0 turns the heuristic off. */
  maxHeuristicTtlMs: number
  /** Lower-case names of the targeted cache-control fields obeyed (RFC 9213), in order. */
  targetedFields: string[]
}
