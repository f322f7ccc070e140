// Persistence costs on 1M keys: how long a snapshot holds the event loop (the longest pause a request
// could see), how long it takes, and how long a restart takes to load it.
// Usage: bun run bench/persistence.ts [keys=1000000] [valueBytes=100]
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { CacheEngine } from '../src/cache'
import { silentLogger } from '../src/log/logger'
import { Persistence } from '../src/persistence'

const keys = Number(process.argv[2] ?? 1_000_000)
const valueBytes = Number(process.argv[3] ?? 100)
const dir = mkdtempSync(join(tmpdir(), 'bench-persistence-'))
const options = { dir, fsync: 'everysec' as const, snapshotIntervalMs: 0, recover: false }

/** Samples the event loop every millisecond and keeps the longest gap between two samples. */
function lagMonitor() {
  let last = performance.now()
  const gaps: number[] = []
  const timer = setInterval(() => {
    const now = performance.now()
    gaps.push(now - last)
    last = now
  }, 1)
  return {
    stop: () => {
      clearInterval(timer)
      gaps.sort((a, b) => a - b)
      return { longest: gaps.at(-1) ?? 0, p99: gaps[Math.floor(gaps.length * 0.99)] ?? 0 }
    },
  }
}

try {
  const engine = new CacheEngine({ maxBytes: 4 * 1024 ** 3, sweepIntervalMs: 0 })
  const persistence = await Persistence.start(engine, options, silentLogger)
  const value = new Uint8Array(valueBytes).fill(120)
  const filling = performance.now()
  for (let i = 0; i < keys; i++) engine.set(`key:${i}`, value, 'application/octet-stream')
  await persistence.durable()
  const fillMs = performance.now() - filling

  // Idle loop for reference: the same monitor with no snapshot running.
  const idle = lagMonitor()
  await Bun.sleep(1000)
  const idleGaps = idle.stop()

  const monitor = lagMonitor()
  const snapshot = await persistence.snapshot()
  const snapshotGaps = monitor.stop()
  await persistence.close()
  const size = statSync(join(dir, 'snapshot.fcs')).size

  const loading = performance.now()
  const reloaded = new CacheEngine({ maxBytes: 4 * 1024 ** 3, sweepIntervalMs: 0 })
  const second = await Persistence.start(reloaded, options, silentLogger)
  const loadMs = performance.now() - loading
  const items = reloaded.stats().items
  await second.close()

  const rows = [
    ['keys, value size', `${keys.toLocaleString('en')} × ${valueBytes} B`],
    ['writes logged to the journal while filling (everysec)', `${(fillMs / 1000).toFixed(1)} s`],
    ['snapshot: duration', `${(snapshot.durationMs / 1000).toFixed(2)} s`],
    ['snapshot: file size', `${(size / 1024 ** 2).toFixed(1)} MiB`],
    ['snapshot: encoding steps, p99 / longest', `${snapshot.p99StepMs.toFixed(2)} / ${snapshot.longestStepMs.toFixed(2)} ms`],
    [
      'event loop during the snapshot: gap between 1 ms ticks, p99 / longest',
      `**${snapshotGaps.p99.toFixed(2)} / ${snapshotGaps.longest.toFixed(2)} ms**`,
    ],
    ['event loop over 1 s idle, same monitor: p99 / longest', `${idleGaps.p99.toFixed(2)} / ${idleGaps.longest.toFixed(2)} ms`],
    ['restart: load the snapshot', `${(loadMs / 1000).toFixed(2)} s (${items.toLocaleString('en')} entries)`],
  ]
  const report = [
    '# Persistence: snapshot pauses and load time',
    '',
    `Command: \`bun run bench/persistence.ts ${keys} ${valueBytes}\` (${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC), ${cpus().length} cores, Bun ${Bun.version}, the engine and Persistence in one process, files on the machine's tmpdir.`,
    '',
    '| measure | value |',
    '|---|--:|',
    ...rows.map(([name, figure]) => `| ${name} | ${figure} |`),
    '',
    'The snapshot is written in steps of 1,000 entries with the event loop running between them; the',
    '"longest gap" is the most time between two ticks of a 1 ms interval timer during the snapshot, so it',
    'bounds how long any request could have waited on it. The idle row is the same monitor with nothing',
    'running (timer and scheduler noise on this shared machine).',
    '',
  ].join('\n')
  writeFileSync(join(import.meta.dir, 'RESULTS-persistence.md'), report)
  process.stdout.write(report)
} finally {
  rmSync(dir, { recursive: true, force: true })
}
