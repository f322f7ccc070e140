// Varnish in front of the origin: `varnishd -F` with a two-line VCL and a malloc store, in a scratch
// directory. varnishd is two processes (a manager and the cache child it forks), so it is started in
// a session of its own and stopped as a process group: nothing of it may outlive the benchmark.
import { chmodSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { answers, freePort, removeScratch, run, scratchDir, start, stop, waitUntil } from '../http/procs'
import { ITEM_PREFIX } from './body'
import type { Counters, Target } from './targets'

/** Process groups of the varnishd instances still up, for the last-resort sweep at exit. */
const groups = new Set<number>()

/** SIGKILL to every process left in the group, by the group's id; quiet when none is left. */
function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL')
  } catch {
    // ESRCH: the group is already gone.
  }
}

// procs.ts SIGKILLs only the manager on exit paths; the cache child is in the same group.
process.on('exit', () => {
  for (const pgid of groups) killGroup(pgid)
})

/** vcl 4.1 with the origin as the only backend; Varnish's built-in logic caches for the origin's max-age. */
function vcl(originPort: number): string {
  return `vcl 4.1;\n\nbackend origin {\n  .host = "127.0.0.1";\n  .port = "${originPort}";\n}\n`
}

interface VarnishStat {
  counters: Record<string, { value: number }>
}

export async function startVarnish(originPort: number): Promise<Target> {
  const dir = scratchDir('bench-proxy-varnish-')
  // As root, varnishd drops to its own users (the Debian package's varnish and vcache), which must be able
  // to read the VCL: the scratch directory is created 0700.
  chmodSync(dir, 0o755)
  const vclPath = join(dir, 'bench.vcl')
  const logPath = join(dir, 'varnishd.log')
  const workdir = join(dir, 'n')
  writeFileSync(vclPath, vcl(originPort))
  const port = freePort()
  const url = `http://127.0.0.1:${port}`
  // `exec` twice keeps one pid from sh to varnishd; setsid makes that pid the leader of a new process
  // group (it does not fork, as Bun's child is not a group leader), so pgid = pid. The log file holds
  // varnishd's start-up messages, read when it fails to come up.
  const command = ['varnishd', '-F', '-f', vclPath, '-a', `127.0.0.1:${port}`, '-n', workdir, '-s', 'malloc,1g']
  const child = start(['sh', '-c', 'exec setsid "$@" >"$0" 2>&1', logPath, ...command])
  const pgid = child.pid
  groups.add(pgid)
  const stopAll = async () => {
    await stop(child)
    killGroup(pgid)
    groups.delete(pgid)
    removeScratch(dir)
  }
  try {
    // /health passes through to the origin (no-store): ready means the listener and the backend both answer.
    await waitUntil('varnishd', child, answers(`${url}/health`), 30_000)
  } catch (error) {
    let log = ''
    try {
      log = readFileSync(logPath, 'utf8').trim()
    } catch {
      // No log yet.
    }
    await stopAll()
    throw new Error(`${(error as Error).message}${log ? `\nvarnishd said:\n${log}` : ''}`)
  }
  return {
    name: 'varnish',
    url,
    pre: ITEM_PREFIX,
    // X-Varnish carries this request's id, and on a hit also the id of the request that stored the object.
    isHit: (response) => (response.headers.get('x-varnish') ?? '').trim().split(/\s+/).length === 2,
    counters: async (): Promise<Counters> => {
      const out = await run(['varnishstat', '-n', workdir, '-j', '-f', 'MAIN.cache_hit', '-f', 'MAIN.cache_miss'])
      const { counters } = JSON.parse(out) as VarnishStat
      return { hits: counters['MAIN.cache_hit']?.value ?? Number.NaN, misses: counters['MAIN.cache_miss']?.value ?? Number.NaN }
    },
    stop: stopAll,
  }
}
