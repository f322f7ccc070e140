import { describe, expect, test } from 'bun:test'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { binary, binaryHarness, root, type Server } from '../support/binary'
import { freePort } from '../support/redis'

// The README's console examples, run in order against the binary, each answer compared with the
// README's. A `$ ./dist/fastcache ARGS` line with no output starts the server the following lines
// talk to (the first ones talk to one with the defaults); `$ bun SCRIPT ... &` starts a helper in the
// background. Values that legitimately differ (times, lease tokens, elapsed seconds) are masked.
const { workDir, start, stop, running } = binaryHarness()

interface Step {
  command: string
  expected: string[]
  line: number
}

/** Every `$ command` of every ```console block, with the lines that follow it up to the next one. */
function consoleSteps(markdown: string): Step[] {
  const steps: Step[] = []
  let inConsole = false
  markdown.split('\n').forEach((text, index) => {
    if (text.startsWith('```')) {
      inConsole = !inConsole && text === '```console'
      return
    }
    if (!inConsole) return
    if (text.startsWith('$ ')) steps.push({ command: text.slice(2), expected: [], line: index + 1 })
    else steps.at(-1)?.expected.push(text)
  })
  for (const step of steps) while (step.expected.at(-1) === '') step.expected.pop()
  return steps
}

/** Shell words: single and double quotes, and | outside them separating the stages of a pipeline. */
function pipeline(command: string): string[][] {
  const stages: string[][] = [[]]
  let word: string | undefined
  let quote: string | undefined
  for (const char of command) {
    if (quote !== undefined) {
      if (char === quote) quote = undefined
      else word = (word ?? '') + char
    } else if (char === "'" || char === '"') {
      quote = char
      word ??= ''
    } else if (char === ' ') {
      if (word !== undefined) stages.at(-1)!.push(word)
      word = undefined
    } else if (char === '|') {
      if (word !== undefined) stages.at(-1)!.push(word)
      word = undefined
      stages.push([])
    } else word = (word ?? '') + char
  }
  if (word !== undefined) stages.at(-1)!.push(word)
  return stages
}

const REASONS: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  204: 'No Content',
  304: 'Not Modified',
  401: 'Unauthorized',
  404: 'Not Found',
  405: 'Method Not Allowed',
}

/** The curl options the README uses, done with fetch; output as curl prints it (-i: status line and headers first). */
async function curl(args: string[], stdin: Uint8Array | undefined): Promise<string> {
  let method: string | undefined
  let head = false
  let include = false
  let body: string | Uint8Array | undefined
  const headers = new Headers()
  let url = ''
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    if (arg === '-X') method = args[++i]
    else if (arg === '-H') {
      const header = args[++i]!
      headers.set(header.slice(0, header.indexOf(':')), header.slice(header.indexOf(':') + 1).trim())
    } else if (arg === '-d' || arg === '--data-binary') {
      const data = args[++i]!
      body = data === '@-' ? stdin : data
      // curl -d sends a form content type unless one is given.
      if (arg === '-d' && !headers.has('content-type')) headers.set('content-type', 'application/x-www-form-urlencoded')
    } else if (arg === '-I') head = include = true
    else if (/^-[is]+$/.test(arg)) include ||= arg.includes('i')
    else if (arg.startsWith('-')) throw new Error(`the README's curl uses ${arg}, which this test does not know`)
    else url = arg
  }
  method ??= head ? 'HEAD' : body === undefined ? 'GET' : 'POST'
  const response = await fetch(url, { method, headers, body, redirect: 'manual' })
  const text = head ? '' : await response.text()
  if (!include) return text
  const lines = [`HTTP/1.1 ${response.status} ${REASONS[response.status] ?? response.statusText}`]
  for (const [name, value] of response.headers) lines.push(`${name}: ${value}`)
  return `${lines.join('\n')}\n\n${text}`
}

/** The masks: values that differ from run to run, replaced on both sides before comparing. */
const MASKS: [RegExp, string][] = [
  [/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '<time>'],
  [/[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT/g, '<date>'],
  [/"(uptimeSeconds|durationMs|ttlMs)":\d+/g, '"$1":<n>'],
  [/max-age=\d+/g, 'max-age=<n>'],
  [/^age: \d+$/gim, 'age: <n>'],
  [/ttl=-?\d+/g, 'ttl=<n>'],
]
const mask = (text: string) => MASKS.reduce((masked, [pattern, by]) => masked.replace(pattern, by), text)

/** An answer compared with the README: status line and body exactly, headers only those the README shows. */
function compare(step: Step, actual: string): void {
  const where = `README.md line ${step.line}: ${step.command}`
  const expected = mask(step.expected.join('\n'))
  const got = mask(actual.replace(/\n+$/, ''))
  if (!expected.startsWith('HTTP/1.1 ')) {
    expect([where, got]).toEqual([where, expected])
    return
  }
  const [expectedHead, ...expectedBody] = expected.split('\n\n')
  const [gotHead, ...gotBody] = got.split('\n\n')
  const [expectedStatus, ...expectedHeaders] = expectedHead!.split('\n')
  const [gotStatus, ...gotHeaders] = gotHead!.split('\n')
  const byName = new Map(
    gotHeaders.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
  )
  const shown = expectedHeaders.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()])
  expect([where, gotStatus, shown.map(([name]) => [name, byName.get(name!)]), gotBody.join('\n\n')]).toEqual([
    where,
    expectedStatus,
    shown,
    expectedBody.join('\n\n'),
  ])
}

describe("the README's console examples", () => {
  test('run in order against the binary, give the answers the README shows', async () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8')
    const steps = consoleSteps(readme)
    expect(steps.length).toBeGreaterThan(50)
    const files = mkdtempSync(join(workDir, 'readme-'))
    // Paths and ports the README names, for ones of this run.
    const tokenFile = join(files, 'tokens')
    writeFileSync(tokenFile, 'admin:readme-admin-token-0001\n')
    const dataDir = join(files, 'data')
    mkdirSync(dataDir)
    const ports = new Map<string, string>([['8080', String(freePort())]])
    const leases = new Map<string, string>()
    let server: Server = await start([])
    const local = (text: string) => {
      let out = text
        .replaceAll('127.0.0.1:7070', `127.0.0.1:${server.port}`)
        .replaceAll('/etc/fastcache/tokens', tokenFile)
        .replaceAll('/var/lib/fastcache', dataDir)
      for (const [from, to] of [...ports, ...leases]) out = out.replaceAll(from, to)
      return out
    }
    try {
      for (const step of steps) {
        const stages = pipeline(local(step.command))
        const [program, ...args] = stages[0]!
        let output: string
        if (program === './dist/fastcache' && step.expected.length === 0) {
          // A server start: the lines after it talk to this one.
          await stop(server)
          // On every address in the README; on loopback here.
          server = await start(args.map((arg, i) => (arg === '0.0.0.0' && args[i - 1] === '--host' ? '127.0.0.1' : arg)))
          continue
        } else if (program === 'bun' && args.at(-1) === '&') {
          running.add(Bun.spawn(['bun', ...args.slice(0, -1)], { cwd: root, stdout: 'ignore', stderr: 'ignore' }))
          await Bun.sleep(300)
          continue
        } else if (program === './dist/fastcache' || program === 'bun') {
          const proc = Bun.spawnSync(program === 'bun' ? ['bun', ...args] : [binary, ...args], {
            cwd: root,
            env: { PATH: process.env.PATH ?? '' },
          })
          output = proc.stdout.toString() + proc.stderr.toString()
        } else if (program === 'curl') {
          output = await curl(args, undefined)
        } else if (program === 'printf' || program === 'head') {
          // Input for the next stage: printf TEXT, or head -c N /dev/zero.
          const input = program === 'printf' ? new TextEncoder().encode(args[0]) : new Uint8Array(Number(args[1]))
          const [next, ...nextArgs] = stages.splice(1, 1)[0]!
          expect(next).toBe('curl')
          output = await curl(nextArgs, input)
        } else if (program === 'ls') {
          output = readdirSync(args[0]!).sort().join('  ')
        } else throw new Error(`README.md line ${step.line}: this test cannot run "${program}"`)
        for (const [filter, ...filterArgs] of stages.slice(1)) {
          const lines = output.split('\n')
          if (filter === 'head' && filterArgs[0] === '-n') output = lines.slice(0, Number(filterArgs[1])).join('\n')
          else if (filter === 'head' && filterArgs[0] === '-c') output = output.slice(0, Number(filterArgs[1]))
          else if (filter === 'grep') {
            const ignoreCase = filterArgs[0] === '-i'
            const pattern = filterArgs.at(-1)!
            output = lines
              .filter((line) => (ignoreCase ? line.toLowerCase().includes(pattern.toLowerCase()) : line.includes(pattern)))
              .join('\n')
          } else throw new Error(`README.md line ${step.line}: this test cannot filter with "${filter}"`)
        }
        // A lease token the README shows is used by later commands: use this run's instead.
        const readmeLease = /^lease: (\S+)$/m.exec(step.expected.join('\n'))?.[1]
        const gotLease = /^lease: (\S+)$/m.exec(output)?.[1]
        if (readmeLease !== undefined && gotLease !== undefined) leases.set(readmeLease, gotLease)
        compare(step, leases.size > 0 ? [...leases].reduce((text, [readme, got]) => text.replaceAll(got, readme), output) : output)
      }
    } finally {
      await stop(server)
    }
  }, 60_000)
})
