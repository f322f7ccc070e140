import { expect, test } from 'bun:test'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { binary, binaryHarness, root } from '../support/binary'

// The example unit in docs/systemd is checked by systemd itself where it is installed, with its
// command pointed at this build; and the flags it starts fastcache with are checked by fastcache.
const { workDir, runToExit } = binaryHarness()
const unit = readFileSync(join(root, 'docs/systemd/fastcache.service'), 'utf8')
const execStart = /^ExecStart=(\S+) (.*)$/m.exec(unit)!

test('docs/systemd/fastcache.service passes systemd-analyze verify, and its flags pass --check-config', async () => {
  const dir = mkdtempSync(join(workDir, 'systemd-'))
  const tokens = join(dir, 'tokens')
  const config = join(dir, 'fastcache.json')
  writeFileSync(tokens, 'admin:systemd-example-token-01\n')
  writeFileSync(config, '{"maxMemory":"1gb","port":7070}')
  const args = execStart[2]!
    .replace('/etc/fastcache/tokens', tokens)
    .replace('/etc/fastcache/fastcache.json', config)
    .replace('/var/lib/fastcache', dir)
    .split(' ')
  const checked = await runToExit([...args, '--check-config'])
  expect([checked.exitCode, checked.stderr]).toEqual([0, expect.stringContaining('the configuration is valid')])

  if (Bun.which('systemd-analyze') === null) {
    console.log('systemd: systemd-analyze is not installed here; the unit file itself was not verified')
    return
  }
  const local = join(dir, 'fastcache.service')
  writeFileSync(local, unit.replaceAll(execStart[1]!, binary))
  const verified = Bun.spawnSync(['systemd-analyze', 'verify', '--man=no', local], { stderr: 'pipe', stdout: 'pipe' })
  expect([verified.exitCode, verified.stdout.toString() + verified.stderr.toString()]).toEqual([0, ''])
})
