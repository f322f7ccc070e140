/** UTF-8 byte length of a well-formed string, without encoding it. */
export function utf8Length(text: string): number {
  let bytes = text.length
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code < 0x80) continue
    if (code < 0x800) bytes += 1
    else if (code >= 0xd800 && code <= 0xdbff) {
      // A surrogate pair is two UTF-16 units and four UTF-8 bytes.
      bytes += 2
      i++
    } else bytes += 2
  }
  return bytes
}
