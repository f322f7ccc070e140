// Persistence costs on 1M keys, this checkout against a baseline commit in the same run: how long a
// snapshot holds the event loop and takes, and how long a restart takes to load it (in a fresh
// process each time, the rounds taking turns so a busy spell of the shared machine hits both alike).
// The baseline's src/ is taken from git (default: the last commit writing snapshot format 1).
// Usage: bun run bench/persistence.ts [keys=1000000] [valueBytes=100] [runs=3] [baseline=0d83fd6]
// Rewrites the first section of bench/RESULTS-persistence.md; the sections after it are kept.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { join } from 'node:path'
import { median } from './http/stats'
import { installSignalHandlers, removeScratch, run, scratchDir } from './http/procs'
import type { Job, Loaded, Written } from './persistence/child'

const keys = Number(process.argv[2] ?? 1_000_000)
const valueBytes = Number(process.argv[3] ?? 100)
const runs = Number(process.argv[4] ?? 3)
const baseline = process.argv[5] ?? '0d83fd6'
const ROOT = join(import.meta.dir, '..')
const RESULTS = join(import.meta.dir, 'RESULTS-persistence.md')
const CHILD = join(import.meta.dir, 'persistence/child.ts')

installSignalHandlers('bench/persistence.ts')
const scratch = scratchDir('bench-persistence-')

async function child<T>(job: Job): Promise<T> {
  return JSON.parse(await run(['bun', CHILD, JSON.stringify(job)], { cwd: ROOT })) as T
}

try {
  const head = (await run(['git', 'rev-parse', '--short', 'HEAD'], { cwd: ROOT })).trim()
  const base = (await run(['git', 'rev-parse', '--short', baseline], { cwd: ROOT })).trim()
  // The baseline's source, as it was: no npm package is imported below src/cache, src/persistence and src/log.
  const baseSrc = join(scratch, 'baseline')
  mkdirSync(baseSrc)
  const archive = join(scratch, 'baseline.tar')
  await run(['git', 'archive', '-o', archive, base, 'src'], { cwd: ROOT })
  await run(['tar', '-xf', archive, '-C', baseSrc])
  const sources = { current: join(ROOT, 'src'), baseline: join(baseSrc, 'src') }

  const dirs = { current: join(scratch, 'current'), baseline: join(scratch, 'baseline-data') }
  process.stderr.write(`writing ${keys.toLocaleString('en')} keys and a snapshot with ${head} and with ${base}...\n`)
  const written = {
    current: await child<Written>({ kind: 'write', src: sources.current, dir: dirs.current, keys, valueBytes }),
    baseline: await child<Written>({ kind: 'write', src: sources.baseline, dir: dirs.baseline, keys, valueBytes }),
  }
  const size = (dir: string) => statSync(join(dir, 'snapshot.fcs')).size

  // Three loads, in turn: this build's snapshot by this build, the baseline's by the baseline, and the
  // baseline's (an older format) by this build.
  const cases = [
    { name: `${head} loads its own snapshot (format 2)`, src: sources.current, dir: dirs.current },
    { name: `${base} (baseline) loads its own snapshot (format 1)`, src: sources.baseline, dir: dirs.baseline },
    { name: `${head} loads the baseline's snapshot (format 1)`, src: sources.current, dir: dirs.baseline },
  ]
  const loads = cases.map(() => [] as Loaded[])
  for (let round = 0; round < runs; round++) {
    process.stderr.write(`load round ${round + 1} of ${runs}\n`)
    for (const [i, c] of cases.entries()) loads[i]!.push(await child<Loaded>({ kind: 'load', src: c.src, dir: c.dir }))
  }
  for (const [i, c] of cases.entries()) {
    for (const loaded of loads[i]!) if (loaded.items !== keys) throw new Error(`${c.name}: ${loaded.items} entries, not ${keys}`)
  }

  const ms = (value: number) => `${Math.round(value).toLocaleString('en')} ms`
  const of = (i: number, pick: (loaded: Loaded) => number) => median(loads[i]!.map(pick))
  const loadRows = cases.map((c, i) => {
    const ratio = of(i, (l) => l.wallMs) / of(1, (l) => l.wallMs)
    return `| ${c.name} | **${ms(of(i, (l) => l.wallMs))}** | ${ratio.toFixed(2)}× | ${ms(of(i, (l) => l.cpuMs))} | ${of(i, (l) => l.maxRssMiB).toFixed(0)} MiB | ${of(i, (l) => l.gaps.longest).toFixed(0)} ms |`
  })
  const gaps = (g: { p99: number; longest: number }) => `${g.p99.toFixed(2)} / ${g.longest.toFixed(2)} ms`
  const snapshotRows = [
    ['file size', (_: Written, dir: string) => `${(size(dir) / 1024 ** 2).toFixed(1)} MiB`],
    ['writes logged to the journal while filling (everysec)', (w: Written) => `${(w.fillMs / 1000).toFixed(1)} s`],
    ['snapshot: duration', (w: Written) => `${(w.snapshotMs / 1000).toFixed(2)} s`],
    ['snapshot: steps, p99 / longest', (w: Written) => `${w.p99StepMs.toFixed(2)} / ${w.longestStepMs.toFixed(2)} ms`],
    ['event loop during the snapshot: gap between 1 ms ticks, p99 / longest', (w: Written) => gaps(w.snapshotGaps)],
    ['event loop over 1 s idle, same monitor: p99 / longest', (w: Written) => gaps(w.idleGaps)],
  ] as const
  const section = [
    '# Persistence: snapshot pauses and load time',
    '',
    `Command: \`bun run bench/persistence.ts ${keys} ${valueBytes} ${runs} ${baseline}\` (${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC), ${cpus().length} cores, Bun ${Bun.version}. This checkout (${head}) against ${base}, the last build writing snapshot format 1 (one record per entry), whose \`src/\` the script takes from git. ${keys.toLocaleString('en')} keys (\`key:N\`) × ${valueBytes} B values, files on the machine's tmpdir.`,
    '',
    '## Loading a snapshot (a restart)',
    '',
    `Each load in a fresh process (the file in the page cache), the three cases in turn, ${runs} round${runs === 1 ? '' : 's'}; medians.`,
    "Wall time is from creating the engine to Persistence.start resolving; CPU time is the process's user + system",
    "time over the same span (all threads, the garbage collector's included). On this shared machine other work",
    'takes turns with the load, so wall time can exceed CPU time.',
    '',
    '| load | wall time | ÷ baseline | CPU time | peak RSS | longest event-loop gap |',
    '|---|--:|--:|--:|--:|--:|',
    ...loadRows,
    '',
    'Peak RSS: the baseline reads the whole file before loading it; this build reads it in 4 MiB chunks. The',
    'event-loop gap (1 ms ticks during the load) is how long /health could have waited: loading yields every ~20 ms.',
    '',
    '## Taking a snapshot',
    '',
    `| measure | ${head} (format 2) | ${base} (format 1) |`,
    '|---|--:|--:|',
    ...snapshotRows.map(
      ([name, show]) => `| ${name} | ${show(written.current, dirs.current)} | ${show(written.baseline, dirs.baseline)} |`,
    ),
    '',
    'Format 2 writes a step per block of up to 64 KiB (format 1: 1,000 entries), with the event loop running',
    'between steps; the "longest gap" is the most time between two ticks of a 1 ms interval timer during the',
    'snapshot, so it bounds how long any request could have waited on it. One run of each.',
    '',
  ].join('\n')
  // Keep what follows the first section (figures measured otherwise, such as the journal's cost).
  const previous = existsSync(RESULTS) ? readFileSync(RESULTS, 'utf8') : ''
  const kept = previous.indexOf('\n## What the journal costs a write')
  writeFileSync(RESULTS, section + (kept >= 0 ? previous.slice(kept) : ''))
  process.stdout.write(section)
} finally {
  removeScratch(scratch)
}
