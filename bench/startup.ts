// Start-up of the compiled binary: time from exec to the first 200 on /health, and the binary's size.
// Usage: bun run bench/startup.ts [runs]   (builds dist/fastcache first if it is missing)
import { existsSync, statSync } from 'node:fs'
import { resolve } from 'node:path'

const root = resolve(import.meta.dir, '..')
const binary = resolve(root, 'dist/fastcache')
const runs = Number(process.argv[2] ?? 10)

if (!existsSync(binary)) {
  const build = Bun.spawnSync(['bun', 'run', 'build'], { cwd: root })
  if (build.exitCode !== 0) throw new Error(build.stderr.toString())
}

/** A free loopback port, found by letting the kernel pick one. */
function freePort(): number {
  const probe = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response() })
  const port = probe.port!
  probe.stop(true)
  return port
}

async function once(): Promise<{ firstOkMs: number; idleRssKb: number }> {
  const port = freePort()
  const started = performance.now()
  const proc = Bun.spawn([binary, '--port', String(port)], { stdout: 'ignore', stderr: 'ignore' })
  try {
    const deadline = started + 5000
    while (performance.now() < deadline) {
      try {
        const response = await fetch(`http://127.0.0.1:${port}/health`)
        if (response.status === 200) {
          const firstOkMs = performance.now() - started
          const status = await Bun.file(`/proc/${proc.pid}/status`).text()
          const idleRssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN)
          return { firstOkMs, idleRssKb }
        }
      } catch {
        // Not listening yet: poll again at once.
      }
    }
    throw new Error('no 200 from /health within 5 s')
  } finally {
    proc.kill('SIGKILL')
    await proc.exited
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!
const samples = []
for (let i = 0; i < runs; i++) samples.push(await once())
const result = {
  runs,
  medianFirstOkMs: Number(median(samples.map((s) => s.firstOkMs)).toFixed(1)),
  minFirstOkMs: Number(Math.min(...samples.map((s) => s.firstOkMs)).toFixed(1)),
  medianIdleRssMiB: Number((median(samples.map((s) => s.idleRssKb)) / 1024).toFixed(1)),
  binaryMiB: Number((statSync(binary).size / 1024 / 1024).toFixed(1)),
}
console.log(JSON.stringify(result))
