// Structured Field Dictionaries (RFC 8941 section 4.2.2), as far as a targeted cache-control field
// (RFC 9213) needs them: whether the field parses, and each member's value. Parameters and inner
// lists are checked for syntax and otherwise not kept.

/** A member's value: true or false for booleans (and bare keys), a number for integers and decimals, a string for the rest. */
export type DictionaryValue = boolean | number | { kind: 'string' | 'token' | 'bytes' | 'inner-list' | 'decimal'; text: string }

class Invalid extends Error {}

const KEY_START = /[a-z*]/
const KEY = /[a-z0-9_\-.*]/
const TOKEN_START = /[A-Za-z*]/
const TOKEN = /[!#$%&'*+\-.^_`|~0-9A-Za-z:/]/
const BASE64 = /[A-Za-z0-9+/=]/

/** The dictionary in `field` (a later member replaces an earlier one of the same key), or undefined when it does not parse. */
export function parseDictionary(field: string): Map<string, DictionaryValue> | undefined {
  try {
    return new DictionaryParser(field).dictionary()
  } catch (error) {
    if (error instanceof Invalid) return undefined
    throw error
  }
}

class DictionaryParser {
  private at = 0

  constructor(private readonly text: string) {}

  dictionary(): Map<string, DictionaryValue> {
    const members = new Map<string, DictionaryValue>()
    this.skip(' ')
    if (this.done()) return members
    for (;;) {
      const key = this.key()
      let value: DictionaryValue = true
      if (this.peek() === '=') {
        this.at++
        value = this.peek() === '(' ? this.innerList() : this.bareItem()
      }
      this.parameters()
      members.set(key, value)
      this.skipOws()
      if (this.done()) return members
      if (this.next() !== ',') throw new Invalid()
      this.skipOws()
      if (this.done()) throw new Invalid()
    }
  }

  private key(): string {
    const start = this.at
    if (!KEY_START.test(this.peek())) throw new Invalid()
    this.at++
    while (KEY.test(this.peek())) this.at++
    return this.text.slice(start, this.at)
  }

  private parameters(): void {
    while (this.peek() === ';') {
      this.at++
      this.skip(' ')
      this.key()
      if (this.peek() === '=') {
        this.at++
        this.bareItem()
      }
    }
  }

  private innerList(): DictionaryValue {
    const start = this.at
    this.at++
    for (;;) {
      this.skip(' ')
      if (this.peek() === ')') break
      this.bareItem()
      this.parameters()
      const c = this.peek()
      if (c !== ' ' && c !== ')') throw new Invalid()
    }
    this.at++
    return { kind: 'inner-list', text: this.text.slice(start, this.at) }
  }

  private bareItem(): DictionaryValue {
    const c = this.peek()
    if (c === '-' || (c >= '0' && c <= '9')) return this.number()
    if (c === '"') return this.string()
    if (c === '?') return this.boolean()
    if (c === ':') return this.bytes()
    if (TOKEN_START.test(c)) return this.token()
    throw new Invalid()
  }

  private number(): DictionaryValue {
    const match = /^-?([0-9]{1,15})(\.[0-9]{1,3})?/.exec(this.text.slice(this.at))
    if (match === null || (match[2] !== undefined && match[1]!.length > 12)) throw new Invalid()
    this.at += match[0].length
    // A digit right after the longest valid number means too many digits.
    if (/[0-9.]/.test(this.peek())) throw new Invalid()
    return match[2] === undefined ? Number(match[0]) : { kind: 'decimal', text: match[0] }
  }

  private string(): DictionaryValue {
    const start = this.at
    this.at++
    for (;;) {
      const c = this.next()
      if (c === '"') return { kind: 'string', text: this.text.slice(start, this.at) }
      if (c === '\\') {
        const escaped = this.next()
        if (escaped !== '"' && escaped !== '\\') throw new Invalid()
      } else if (c === '' || c < ' ' || c > '~') throw new Invalid()
    }
  }

  private boolean(): DictionaryValue {
    this.at++
    const c = this.next()
    if (c !== '0' && c !== '1') throw new Invalid()
    return c === '1'
  }

  private bytes(): DictionaryValue {
    const start = this.at
    this.at++
    while (BASE64.test(this.peek())) this.at++
    if (this.next() !== ':') throw new Invalid()
    return { kind: 'bytes', text: this.text.slice(start, this.at) }
  }

  private token(): DictionaryValue {
    const start = this.at
    this.at++
    while (TOKEN.test(this.peek())) this.at++
    return { kind: 'token', text: this.text.slice(start, this.at) }
  }

  private peek(): string {
    return this.text.charAt(this.at)
  }

  private next(): string {
    return this.text.charAt(this.at++)
  }

  private done(): boolean {
    return this.at >= this.text.length
  }

  private skip(char: string): void {
    while (this.peek() === char) this.at++
  }

  private skipOws(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.at++
  }
}
