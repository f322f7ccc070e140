// Where a benchmark's results go and how it says so: the report (--out), every measurement as JSON
// (--json), and the headline on stdout with the paths written, the same way for every benchmark.
import { writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { relative, resolve } from 'node:path'

/**
 * Where a report or plot goes: the path given, else with --quick a file in the temp directory (a smoke run
 * must not overwrite the recorded results), else the recorded one.
 */
export function outputPath(given: string | undefined, quick: boolean, recorded: string, quickName: string): string {
  return given ? resolve(given) : quick ? resolve(tmpdir(), quickName) : recorded
}

export interface Outputs {
  /** The report's path and its markdown. */
  out: string
  markdown: string
  /** --json: where to write `data`, if anywhere. */
  json: string | undefined
  data: unknown
  /** The terminal summary. */
  headline: string
  /** Files the benchmark wrote itself, named after the report. */
  alsoWrote?: string[]
  /** The run's length in seconds. */
  seconds: number
}

/** Writes the report (and the JSON), then prints the headline and what was written. */
export function writeReport(o: Outputs): void {
  writeFileSync(o.out, o.markdown)
  if (o.json) writeFileSync(resolve(o.json), JSON.stringify(o.data, null, 1))
  const wrote = [o.out, ...(o.alsoWrote ?? [])].map((path) => relative(process.cwd(), path)).join(' and ')
  process.stdout.write(`${o.headline}\n\nwrote ${wrote} in ${Math.round(o.seconds)} s\n`)
}
