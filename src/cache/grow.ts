type NumberArray = Uint8Array<ArrayBuffer> | Int32Array<ArrayBuffer> | Uint32Array<ArrayBuffer> | Float64Array<ArrayBuffer>

/** A typed array of `length` elements holding `array`'s contents first (cut when shorter). */
export function grown<T extends NumberArray>(array: T, length: number): T {
  const copy = new (array.constructor as new (length: number) => T)(length)
  copy.set(array.subarray(0, Math.min(array.length, length)) as never)
  return copy
}
