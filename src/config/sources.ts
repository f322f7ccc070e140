import { ConfigError } from './errors'
import { didYouMean, envName, flagName, nearest } from './names'
import { ConfigInput, RENAMED, settingSchema, type ConfigKey } from './schema'

export type Raw = Record<string, unknown>

export const KEYS = Object.keys(ConfigInput.properties) as ConfigKey[]

/** Commands that do something other than serve; each is a flag that takes no value. */
export const COMMANDS = {
  '--help': 'help',
  '-h': 'help',
  '--version': 'version',
  '-v': 'version',
  '--print-config': 'print-config',
  '--check-config': 'check-config',
  '--health-check': 'health-check',
} as const
export type Command = (typeof COMMANDS)[keyof typeof COMMANDS]

/** The key a name stands for, following renames (with a warning for the old name). */
function resolveKey(candidate: string | undefined, oldName: (key: string) => string, newName: (key: string) => string, warnings: string[]) {
  if (candidate === undefined) return undefined
  const renamed = RENAMED[candidate]
  if (renamed === undefined) return candidate as ConfigKey
  warnings.push(`${oldName(candidate)} is now ${newName(renamed.key)} (${renamed.why}); the old name still works`)
  return renamed.key
}

/** Flags into raw values, plus the command if one is given (help and version win over everything). */
export function parseArgv(argv: string[], warnings: string[]): { raw: Raw; command: Command | undefined } {
  const raw: Raw = {}
  let command: Command | undefined
  const names = [...KEYS, ...Object.keys(RENAMED)]
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    const given = COMMANDS[arg as keyof typeof COMMANDS]
    if (given === 'help' || given === 'version') return { raw: {}, command: given }
    if (given !== undefined) {
      command = given
      continue
    }
    if (!arg.startsWith('--')) throw new ConfigError(`unexpected argument "${arg}" (flags start with --; see --help)`)
    const eq = arg.indexOf('=')
    const name = eq < 0 ? arg : arg.slice(0, eq)
    const key = resolveKey(
      names.find((k) => flagName(k) === name),
      flagName,
      flagName,
      warnings,
    )
    if (key === undefined)
      throw new ConfigError(
        `unknown flag ${name}${didYouMean(nearest(name, [...KEYS.map(flagName), ...Object.keys(COMMANDS)]))} (see --help)`,
      )
    const schema = settingSchema(key)
    if (schema.fileOnly) throw new ConfigError(`${name} can only be set in the config file (key "${key}")`)
    let value: string | undefined = eq < 0 ? undefined : arg.slice(eq + 1)
    if (value === undefined && schema.type === 'boolean') {
      raw[key] = 'true'
      continue
    }
    if (value === undefined) {
      value = argv[i + 1]
      if (value === undefined || value.startsWith('--')) throw new ConfigError(`${name} needs a value`)
      i++
    }
    raw[key] = schema.list ? [...((raw[key] as string[] | undefined) ?? []), value] : value
  }
  return { raw, command }
}

/** FASTCACHE_* variables into raw values; unknown ones are warned about, with the nearest known name. */
export function readEnv(env: Record<string, string | undefined>, warnings: string[]): Raw {
  const raw: Raw = {}
  const known = new Map(KEYS.map((key) => [envName(key), key]))
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('FASTCACHE_') || value === undefined || value === '') continue
    const old = Object.keys(RENAMED).find((key) => envName(key) === name)
    const key = known.get(name) ?? resolveKey(old, envName, envName, warnings)
    if (key === undefined) {
      warnings.push(`unknown variable ${name} is ignored${didYouMean(nearest(name, [...known.keys()]))}`)
      continue
    }
    if (settingSchema(key).fileOnly) throw new ConfigError(`${name} is not read: "${key}" can only be set in the config file`)
    raw[key] = settingSchema(key).list ? value.split(',').map((item) => item.trim()) : value
  }
  return raw
}

/** The JSON config file's object; old key names are read as their new ones, with a warning. */
export function readConfigFile(path: string, readFile: (path: string) => string, warnings: string[]): Raw {
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
    // The parser quotes what it choked on, which may be a secret: say what, not the text.
    const reason = (error as Error).message.replace(/"[^"]*"/g, '(a value)')
    throw new ConfigError(`--config: ${path} is not valid JSON: ${reason}`)
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new ConfigError(`--config: ${path} must hold a JSON object`)
  const raw: Raw = {}
  for (const [name, value] of Object.entries(parsed)) {
    raw[
      resolveKey(
        name,
        (key) => `config file key "${key}"`,
        (key) => `"${key}"`,
        warnings,
      ) ?? name
    ] = value
  }
  if ('config' in raw) throw new ConfigError('config file key "config" is not allowed inside a config file')
  return raw
}
