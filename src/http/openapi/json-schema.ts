import type { TSchema } from '@sinclair/typebox'
import { schemaName } from './declare'

type Json = Record<string, unknown>

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value)

/** Elysia's t.Integer and t.Numeric accept numeric strings (query values are strings): the string branch is that. */
const isNumericString = (schema: unknown) =>
  isObject(schema) && schema.type === 'string' && (schema.format === 'integer' || schema.format === 'numeric')

/** TypeBox's key pattern for t.Record(t.String(), ...). */
const ANY_KEY = '^(.*)$'

const SUBSCHEMA_LISTS = ['anyOf', 'allOf', 'oneOf'] as const
const SUBSCHEMAS = ['items', 'not', 'additionalProperties'] as const

/**
 * TypeBox schemas as OpenAPI 3.1 (JSON Schema 2020-12) schemas: named schemas become references
 * to components.schemas; Elysia's numeric-string branches are left out (integers are integers);
 * unions of string constants become enums; records become additionalProperties.
 */
export class SchemaRenderer {
  readonly components: Record<string, Json> = {}

  render(schema: TSchema): Json {
    const name = schemaName(schema)
    if (name === undefined) return this.convert(schema)
    if (!(name in this.components)) {
      this.components[name] = {}
      this.components[name] = this.convert(schema)
    }
    return { $ref: `#/components/schemas/${name}` }
  }

  private convert(schema: TSchema): Json {
    const out: Json = {}
    for (const [key, value] of Object.entries(schema)) {
      if (SUBSCHEMA_LISTS.includes(key as never))
        out[key] = (value as TSchema[]).filter((item) => !isNumericString(item)).map((item) => this.render(item))
      else if (SUBSCHEMAS.includes(key as never) && isObject(value)) out[key] = this.render(value as TSchema)
      else if (key === 'properties')
        out[key] = Object.fromEntries(Object.entries(value as Json).map(([name, item]) => [name, this.render(item as TSchema)]))
      else if (key === 'patternProperties' && isObject(value) && ANY_KEY in value)
        out.additionalProperties = this.render(value[ANY_KEY] as TSchema)
      else out[key] = value
    }
    const union = out.anyOf as Json[] | undefined
    if (union === undefined) return out
    const { anyOf: _, ...notes } = out
    // What is left of a numeric union: its number branch, with the union's own notes.
    if (union.length === 1) return { ...union[0], ...notes }
    if (union.every((item) => typeof item.const === 'string')) return { type: 'string', enum: union.map((item) => item.const), ...notes }
    if (union.every((item) => Number.isInteger(item.const))) return { type: 'integer', enum: union.map((item) => item.const), ...notes }
    return out
  }
}
