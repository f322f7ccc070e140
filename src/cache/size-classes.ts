/**
 * Record capacities in the arena. A record is rounded up to its class's capacity, so a hole left by a
 * dead record fits any later record of the same class exactly (no splitting, no coalescing).
 * Up to 256 B the classes are 4 B apart (at most 3 B lost per record); above, 32 classes per doubling,
 * so at most 1/32 (3.1%) of a record is rounding.
 */
const SMALL_LIMIT = 256
const SMALL_STEP_SHIFT = 2
const SMALL_CLASSES = SMALL_LIMIT >> SMALL_STEP_SHIFT
const CLASSES_PER_DOUBLING_SHIFT = 5
const SMALL_LIMIT_LOG2 = 8
/** Classes cover records up to 1 MiB (the largest segment). */
export const MAX_CLASS_BYTES = 1 << 20
export const CLASS_COUNT = SMALL_CLASSES + (20 - SMALL_LIMIT_LOG2) * (1 << CLASSES_PER_DOUBLING_SHIFT)

const capacities = new Int32Array(CLASS_COUNT)
for (let id = 0; id < CLASS_COUNT; id++) capacities[id] = computeCapacity(id)

/** The class of a record of `bytes` (1 to MAX_CLASS_BYTES). */
export function classOf(bytes: number): number {
  if (bytes <= SMALL_LIMIT) return ((bytes + 3) >> SMALL_STEP_SHIFT) - 1
  const log2 = 31 - Math.clz32(bytes - 1)
  const stepShift = log2 - CLASSES_PER_DOUBLING_SHIFT
  const step = ((bytes - (1 << log2) + (1 << stepShift) - 1) >> stepShift) - 1
  return SMALL_CLASSES + ((log2 - SMALL_LIMIT_LOG2) << CLASSES_PER_DOUBLING_SHIFT) + step
}

/** The bytes a record of class `id` occupies (a multiple of 4). */
export function capacityOf(id: number): number {
  return capacities[id]!
}

function computeCapacity(id: number): number {
  if (id < SMALL_CLASSES) return (id + 1) << SMALL_STEP_SHIFT
  const large = id - SMALL_CLASSES
  const log2 = SMALL_LIMIT_LOG2 + (large >> CLASSES_PER_DOUBLING_SHIFT)
  const steps = (large & ((1 << CLASSES_PER_DOUBLING_SHIFT) - 1)) + 1
  return (1 << log2) + (steps << (log2 - CLASSES_PER_DOUBLING_SHIFT))
}
