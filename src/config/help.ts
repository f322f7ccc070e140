import { hintOf } from './hints'
import { envName, flagName } from './names'
import { ConfigInput, settingSchema } from './schema'

/** How a default reads in the help: lists and maps that start empty say nothing. */
function defaultText(value: unknown): string {
  if (value === undefined || (Array.isArray(value) && value.length === 0)) return ''
  if (typeof value === 'object' && value !== null && Object.keys(value).length === 0) return ''
  return ` (default: ${value})`
}

/** Usage text, generated from the configuration schema so it cannot drift from what is accepted. */
export function usage(version: string): string {
  const rows = Object.keys(ConfigInput.properties).map((key) => {
    const schema = settingSchema(key)
    const name = schema.fileOnly ? `(file) ${key}` : flagName(key)
    const env = schema.fileOnly ? '' : `env ${envName(key)}; `
    return `  ${name.padEnd(24)} ${schema.description}${defaultText(schema.default)}\n  ${''.padEnd(24)} ${env}${hintOf(schema)}`
  })
  return [
    `fastcache ${version}: an HTTP cache server with a typed JSON key-value API`,
    '',
    'Usage: fastcache [--flag value | --flag=value]... [command]',
    '',
    'Flags (each also settable as an environment variable, or as a camelCase key in the --config file;',
    'a flag beats the environment, which beats the file):',
    ...rows,
    '',
    'Commands:',
    '  --help, -h               print this help',
    '  --version, -v            print the version',
    '  --print-config           print the effective configuration as JSON, each value with its source; secrets masked',
    '  --check-config           check the configuration: exit 0, or 2 with one line saying what is wrong',
    '  --health-check           ask the server this configuration describes for GET /health; exit 0 if it answers 200',
    '',
  ].join('\n')
}
