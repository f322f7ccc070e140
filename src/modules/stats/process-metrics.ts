import { readdirSync } from 'node:fs'

// The standard process metrics of Prometheus client libraries (process_*), so dashboards built for
// them work unchanged.

/** Open file descriptors, from /proc (Linux); null where there is no /proc. */
function openFds(): number | null {
  try {
    return readdirSync('/proc/self/fd').length
  } catch {
    return null
  }
}

/** `startedAt` is the process start, in epoch milliseconds. */
export function processMetricLines(startedAt: number): string[] {
  const cpu = process.cpuUsage()
  const metrics: [name: string, kind: string, help: string, value: number | null][] = [
    ['process_cpu_seconds_total', 'counter', 'Total user and system CPU time spent in seconds.', (cpu.user + cpu.system) / 1e6],
    ['process_resident_memory_bytes', 'gauge', 'Resident memory size in bytes.', process.memoryUsage.rss()],
    ['process_open_fds', 'gauge', 'Number of open file descriptors.', openFds()],
    ['process_start_time_seconds', 'gauge', 'Start time of the process since unix epoch in seconds.', Math.floor(startedAt / 1000)],
  ]
  return metrics.flatMap(([name, kind, help, value]) =>
    value === null ? [] : [`# HELP ${name} ${help}`, `# TYPE ${name} ${kind}`, `${name} ${value}`],
  )
}
