/** A configuration mistake; the message names the flag, variable or file key and what is wrong, never a secret. */
export class ConfigError extends Error {}
