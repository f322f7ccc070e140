import type { TSchema } from '@sinclair/typebox'
import { envName, flagName } from './load'
import { ConfigInput } from './schema'

/** Usage text, generated from the configuration schema so it cannot drift from what is accepted. */
export function usage(version: string): string {
  const rows = Object.entries(ConfigInput.properties).map(([key, schema]) => {
    const s = schema as TSchema
    if (key === 'upstreams') return `  ${'(file) upstreams'.padEnd(18)} ${s.description}`
    const fallback = s.default === undefined ? '' : ` (default: ${s.default})`
    return `  ${flagName(key).padEnd(18)} ${s.description}${fallback}\n  ${''.padEnd(18)} env ${envName(key)}`
  })
  return [
    `fastcache ${version}: an HTTP cache server with a typed JSON key-value API`,
    '',
    'Usage: fastcache [--flag value | --flag=value]...',
    '',
    'Flags (each also settable as an environment variable, or as a camelCase key in the --config file;',
    'a flag beats the environment, which beats the file):',
    ...rows,
    '  --help, -h         print this help',
    '  --version, -v      print the version',
    '  --health-check     ask the server this configuration describes for GET /health; exit 0 if it answers 200',
    '',
    'Sizes are bytes, or a number with kb, mb or gb (1kb = 1024 bytes).',
    '',
  ].join('\n')
}
