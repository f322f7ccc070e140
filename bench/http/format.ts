// Number formats the benchmark reports share; a value that is not a finite number reads "n/a".

const finite = (n: number | undefined): n is number => n !== undefined && Number.isFinite(n)

/** A whole number with thousands separators: 12,345. */
export const f0 = (n: number | undefined) => (finite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a')
export const f1 = (n: number | undefined) => (finite(n) ? n.toFixed(1) : 'n/a')
export const f2 = (n: number | undefined) => (finite(n) ? n.toFixed(2) : 'n/a')
/** A ratio: 0.93×. */
export const ratio = (n: number | undefined) => (finite(n) ? `${n.toFixed(2)}×` : 'n/a')
