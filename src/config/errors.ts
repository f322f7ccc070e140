/** A configuration mistake; the message names the flag, variable or file key and what is wrong, never a secret. */
export class ConfigError extends Error {
  /** Warnings found before the mistake: an unknown variable's name may explain it. */
  warnings: string[] = []
}
