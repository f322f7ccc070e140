// The command line of the HTTP benchmarks (bench:http, bench:proxy, bench:soak, bench:cluster): each one
// declares its own options and help text, and gets the common ones, --help and the number checks from here,
// so that they all read their flags by the same rules and fail with the same kind of message (under their
// own label) and exit status 2.
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util'

/** The options every one of them has. */
const COMMON = {
  out: { type: 'string' },
  json: { type: 'string' },
  quick: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const

/** The wrk load of a throughput benchmark: --duration, --rounds, --threads and --connections. */
export const WRK_OPTIONS = {
  duration: { type: 'string' },
  rounds: { type: 'string' },
  threads: { type: 'string' },
  connections: { type: 'string' },
} as const

/** --skip-build, for the benchmarks that offer it (see build.ts). */
export const SKIP_BUILD_OPTION = { 'skip-build': { type: 'boolean', default: false } } as const

/** Parses the command line (unknown options throw); prints `help` and exits 0 on --help. */
export function parseFlags<const O extends ParseArgsOptionsConfig>(options: O, help: string) {
  const { values } = parseArgs({ args: Bun.argv.slice(2), options: { ...options, ...COMMON } })
  // (The values' type is only worked out where the options are known, at the call.)
  if ((values as { help?: boolean }).help) {
    process.stdout.write(help)
    process.exit(0)
  }
  return values
}

type Values = Record<string, string | boolean | (string | boolean)[] | undefined> & { quick: boolean }

/** Checks of the parsed flags whose failures print `${label}: …` and exit 2. */
export function flagReader<F extends Values>(label: string, flags: F) {
  type Name = keyof F & string

  function fail(message: string): never {
    process.stderr.write(`${label}: ${message}\n`)
    process.exit(2)
  }

  /** The flag as a number that passes `ok`, else the quick or the normal default when it is absent. */
  function read(name: Name, normal: number, quick: number, ok: (value: number) => boolean, rule: string): number {
    const raw = flags[name]
    if (raw === undefined || typeof raw === 'boolean') return flags.quick ? quick : normal
    const value = Number(raw)
    if (!ok(value)) fail(`--${name} must be ${rule}`)
    return value
  }

  return {
    fail,
    /** A flag as a whole number ≥ min, else the quick or the normal default. */
    int: (name: Name, normal: number, quick: number, min = 1) =>
      read(name, normal, quick, (v) => Number.isInteger(v) && v >= min, `a whole number ≥ ${min}`),
    /** A flag as a number in [min, max] (whole unless `real`), else the quick or the normal default. */
    num: (name: Name, normal: number, quick: number, min: number, max: number, real = false) =>
      read(
        name,
        normal,
        quick,
        (v) => Number.isFinite(v) && (real || Number.isInteger(v)) && v >= min && v <= max,
        `a ${real ? 'number' : 'whole number'} from ${min} to ${max}`,
      ),
    /** --sizes: a comma-separated list of value or body sizes in bytes. */
    sizeList(raw: string | undefined, normal = '100,4096'): number[] {
      const sizes = (raw ?? normal).split(',').map(Number)
      if (sizes.some((s) => !Number.isInteger(s) || s < 16 || s > 1024 * 1024))
        fail('--sizes must be whole numbers of bytes from 16 to 1048576')
      return sizes
    },
  }
}
