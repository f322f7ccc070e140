import { describe, expect, test } from 'bun:test'
import { VersionMemo } from '../../src/cache/version-memo'

describe('VersionMemo', () => {
  test('gives back what was kept for a version, and nothing for another version in the same place', () => {
    const memo = new VersionMemo<string>(8)
    memo.set(3, 'three')
    expect(memo.get(3)).toBe('three')
    expect(memo.get(11)).toBeUndefined() // same place (11 & 7 === 3), another version
    memo.set(11, 'eleven')
    expect(memo.get(11)).toBe('eleven')
    expect(memo.get(3)).toBeUndefined() // pushed out: a decode again, never a wrong answer
    expect(memo.get(0)).toBeUndefined()
  })
})
