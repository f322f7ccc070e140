import { Type, type Static } from '@sinclair/typebox'

/**
 * The one schema every configuration source is validated against: command-line flags, FASTCACHE_*
 * environment variables and the JSON config file. Values are given as users write them (sizes and
 * durations may carry units); `load.ts` turns them into numbers after validation.
 */
const sizeInput = (description: string, fallback?: string) =>
  Type.Union([Type.Integer({ minimum: 1 }), Type.String({ pattern: '^0*[1-9][0-9]*([bB]|[kKmMgG][bB])?$' })], {
    description,
    default: fallback,
  })
const durationInput = (description: string) =>
  Type.Union([Type.Integer({ minimum: 1 }), Type.String({ pattern: '^[1-9][0-9]*(ms|s|m|h|d)?$' })], { description })

const UPSTREAM_NAME = '[A-Za-z0-9][A-Za-z0-9_-]{0,63}'

/** Per-upstream options of the proxy; only the config file's `upstreams` object can set them. */
export const UpstreamInput = Type.Object(
  {
    url: Type.String({ pattern: '^https?://', description: 'base URL: http(s)://host[:port][/path]' }),
    timeout: Type.Optional(durationInput('how long one upstream request may take (default 10s)')),
    maxBodySize: Type.Optional(sizeInput('largest response body stored; larger ones pass through unstored (default 8mb)')),
    defaultTtl: Type.Optional(durationInput('freshness of responses that carry none (default: none, they are stored stale)')),
    forwardHeaders: Type.Optional(
      Type.Array(Type.String({ pattern: '^[!#$%&\'*+.^_`|~0-9A-Za-z-]+$' }), {
        description:
          'allow-list of request headers sent upstream; "*" for every end-to-end one (default: every end-to-end header' +
          ' but the unkeyed ones such as X-Forwarded-Host, which are sent only when listed)',
      }),
    ),
    cacheAuthorized: Type.Optional(Type.Boolean({ description: 'let requests with Authorization use the cache as RFC 9111 allows (default false: bypass)' })),
    ignoreCookies: Type.Optional(
      Type.Boolean({
        description: 'let requests with Cookie use the cache, sending no Cookie with requests made for it (default false: bypass)',
      }),
    ),
  },
  { additionalProperties: false },
)

export const ConfigInput = Type.Object(
  {
    host: Type.String({ minLength: 1, description: 'address to listen on', default: '127.0.0.1' }),
    port: Type.Integer({ minimum: 0, maximum: 65535, description: 'TCP port (0 picks a free one)', default: 7070 }),
    maxMemory: sizeInput('memory bound of the cache', '256mb'),
    maxValueSize: sizeInput('largest value accepted; may exceed --max-memory', '1mb'),
    maxKeySize: sizeInput('largest key accepted, in UTF-8 bytes', '512'),
    defaultTtl: durationInput('TTL of entries written without one (250ms, 30s, 5m, 2h, 1d; default: none)'),
    logLevel: Type.Union([Type.Literal('debug'), Type.Literal('info'), Type.Literal('warn'), Type.Literal('error')], {
      description: 'least severe level logged',
      default: 'info',
    }),
    upstream: Type.Array(Type.String({ pattern: `^${UPSTREAM_NAME}=https?://` }), {
      description: 'proxied upstream as name=http(s)://host[/path], repeatable (env: comma-separated)',
    }),
    upstreams: Type.Record(Type.String({ pattern: `^${UPSTREAM_NAME}$` }), UpstreamInput, {
      description: 'config file only: upstreams by name with their options',
    }),
    tokens: Type.Array(Type.String({ pattern: '^(read|write|admin):[\\x21-\\x7e]{16,}$' }), {
      description: 'access token SCOPE:SECRET (scope read, write or admin; secret 16+ printable characters), repeatable',
    }),
    tokenFile: Type.String({ minLength: 1, description: 'file of SCOPE:SECRET lines (# comments), so secrets stay out of process listings' }),
    allowUnauthenticated: Type.Boolean({ description: 'serve without tokens on a non-loopback address' }),
    publicMetrics: Type.Boolean({ description: 'serve /metrics, /v1/stats and /openapi without a token' }),
    accessLog: Type.Boolean({ description: 'log one JSON line per request (method, route, status, bytes, duration, remote address; the path only at debug)' }),
    tlsCert: Type.String({ minLength: 1, description: 'PEM certificate (chain) file: serve HTTPS (with --tls-key)' }),
    tlsKey: Type.String({ minLength: 1, description: 'PEM private key file for --tls-cert' }),
    maxBodySize: sizeInput('largest request body; refused with 413 before it is read', '8mb'),
    maxBatch: Type.Integer({ minimum: 1, maximum: 100_000, description: 'most operations in one batch', default: 1000 }),
    maxHeaders: Type.Integer({ minimum: 1, maximum: 198, description: 'most request header fields (198 is the runtime\'s own bound)', default: 198 }),
    maxHeaderSize: sizeInput('most bytes of request header fields, at most 16kb (the runtime\'s own bound)', '16kb'),
    idleTimeout: durationInput('close a connection idle this long (at most 255s; default 30s)'),
    maxConnections: Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'most requests in flight at once; more get 503', default: 10_000 }),
    corsOrigin: Type.Array(Type.String({ pattern: '^(\\*|https?://[^/\\s]+)$' }), {
      description: 'origin allowed by CORS (http(s)://host[:port] or *), repeatable; CORS is off without one',
    }),
    dataDir: Type.String({ minLength: 1, description: 'directory for snapshots and the journal: turns persistence on' }),
    snapshotInterval: Type.Union([Type.Literal(0), durationInput('')], {
      description: 'take a snapshot this often when anything changed (0: never, only on demand and at stop; default 5m)',
    }),
    fsync: Type.Union([Type.Literal('always'), Type.Literal('everysec'), Type.Literal('no')], {
      description: 'journal fsync: always (before each write is acknowledged), everysec, or no (the OS decides)',
      default: 'everysec',
    }),
    recover: Type.Boolean({
      description: 'skip damaged records in a data file (kept aside as *.damaged-TIME) instead of refusing to start',
    }),
    redis: Type.String({ pattern: '^rediss?://', description: 'shared tier: a standalone Redis, redis[s]://[user:pass@]host:port[/db]' }),
    redisCluster: Type.String({ pattern: '^[^,\\s]+:[0-9]+(,[^,\\s]+:[0-9]+)*$', description: 'shared tier: a Redis Cluster, host:port,host:port,...' }),
    nearCacheTtl: Type.Union([Type.Literal(0), durationInput('')], { description: 'how long an instance keeps its own copy of a shared entry (0: no near cache; default 5s)' }),
    redisTimeout: durationInput('longest wait on Redis before answering without it (default 1s)'),
    config: Type.String({ minLength: 1, description: 'JSON config file (keys are the flags in camelCase)' }),
  },
  { additionalProperties: false },
)

export type ConfigInput = Static<typeof ConfigInput>
export type ConfigKey = keyof ConfigInput

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
  idleTimeoutSeconds: number
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
}
