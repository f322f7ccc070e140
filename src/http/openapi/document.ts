import type { TSchema } from '@sinclair/typebox'
import { type AccessRule, declaredRule, unknownRoute } from '../../access/rules'
import { methodsOf, RESPONSE_HEADERS, type ResponseHeader, replyNote } from './declare'
import { SchemaRenderer } from './json-schema'
import { type DeclaredRoute, declaredReplies } from './responses'

type Json = Record<string, unknown>

interface Parameter {
  name: string
  in: string
  required?: boolean
  description?: string
  schema?: unknown
}

interface Detail {
  hide?: boolean
  operationId?: string
  summary?: string
  description?: string
  tags?: string[]
  parameters?: Parameter[]
  requestBody?: Json
  [extension: `x-${string}`]: unknown
}

export interface DocumentInfo {
  title: string
  version: string
  description: string
  tags: { name: string; description: string }[]
}

const capitalize = (word: string) => word.charAt(0).toUpperCase() + word.slice(1).toLowerCase()

/** A HEAD operation's id from its GET's: getValue -> headValue, listKeys -> headListKeys. */
const headId = (getId: string) =>
  getId.startsWith('get') ? `head${getId.slice(3)}` : getId.endsWith('Get') ? `${getId.slice(0, -3)}Head` : `head${capitalize(getId)}`

/** `/v1/kv/*` with its path parameters [key] -> `/v1/kv/{key}`. */
function templatePath(path: string, parameters: Parameter[]): string {
  const names = parameters.filter((parameter) => parameter.in === 'path').map((parameter) => `{${parameter.name}}`)
  if (!path.endsWith('*')) return path
  if (names.length === 0) throw new Error(`route ${path} does not declare the path parameters its * stands for`)
  return path.slice(0, -1) + names.join('/')
}

/** Who may call the operation, as an OpenAPI security requirement. */
function security(rule: AccessRule): Json[] {
  if (rule.scope === 'public') return []
  return [{ bearer: [rule.scope === 'metrics' ? 'admin' : rule.scope] }]
}

function accessNote(rule: AccessRule): string | undefined {
  const notes: string[] = []
  if (rule.scope === 'metrics') notes.push('Needs an admin token unless the server runs with --public-metrics.')
  if (rule.raisedBy !== undefined) notes.push(`With ?${rule.raisedBy.query} it needs the ${rule.raisedBy.scope} scope.`)
  return notes.length === 0 ? undefined : notes.join(' ')
}

/** Builds OpenAPI 3.1 documents from the routes' declarations, sharing one set of named schemas. */
class DocumentBuilder {
  private readonly schemas = new SchemaRenderer()

  private headers(spec: Partial<Record<ResponseHeader, 'always' | 'sometimes'>>): Json | undefined {
    const entries = Object.entries(spec) as [ResponseHeader, 'always' | 'sometimes'][]
    if (entries.length === 0) return undefined
    return Object.fromEntries(
      entries.map(([name, when]) => [
        name,
        { description: RESPONSE_HEADERS[name], required: when === 'always', schema: { type: 'string' } },
      ]),
    )
  }

  /** One status's response object: each reply's body under its media type (several of one type: any of them). */
  private response(replies: TSchema[], head: boolean): Json {
    const content = new Map<string, Json[]>()
    let headers: Partial<Record<ResponseHeader, 'always' | 'sometimes'>> = {}
    for (const reply of replies) {
      const note = replyNote(reply)
      headers = { ...headers, ...note.headers }
      if (note.media === null || head) continue
      const schema = this.schemas.render(reply)
      const described = note.media === '*/*' ? { description: note.description } : schema
      content.set(note.media, [...(content.get(note.media) ?? []), described])
    }
    const description = replies.map((reply) => replyNote(reply).description).join('; or ')
    const headerObjects = this.headers(headers)
    return {
      description,
      ...(headerObjects === undefined ? {} : { headers: headerObjects }),
      ...(content.size === 0
        ? {}
        : {
            content: Object.fromEntries(
              [...content].map(([media, schemas]) => [media, { schema: schemas.length === 1 ? schemas[0] : { anyOf: schemas } }]),
            ),
          }),
    }
  }

  private operation(route: DeclaredRoute, method: string, detail: Detail, rule: AccessRule): Json {
    const parameters: object[] = [...(detail.parameters ?? [])]
    const query = route.hooks?.query as TSchema | undefined
    const required = new Set<string>((query?.required as string[] | undefined) ?? [])
    for (const [name, schema] of Object.entries((query?.properties ?? {}) as Record<string, TSchema>)) {
      const { description, ...rest } = this.schemas.render(schema)
      parameters.push({ name, in: 'query', required: required.has(name), ...(description ? { description } : {}), schema: rest })
    }
    const head = method === 'head'
    const body = route.hooks?.body as TSchema | undefined
    const requestBody =
      body === undefined
        ? detail.requestBody
        : { required: true, ...detail.requestBody, content: { 'application/json': { schema: this.schemas.render(body) } } }
    const responses = declaredReplies(route, method.toUpperCase(), rule)
    const { hide: _, parameters: __, requestBody: ___, operationId: ____, 'x-fastcache-methods': _____, ...documented } = detail
    const description = [detail.description, accessNote(rule)].filter(Boolean).join('\n\n')
    return {
      ...documented,
      ...(description === '' ? {} : { description }),
      operationId: this.operationId(detail, route, method),
      ...(parameters.length === 0 ? {} : { parameters }),
      ...(requestBody === undefined ? {} : { requestBody }),
      responses: Object.fromEntries([...responses].map(([status, replies]) => [status, this.response(replies, head)])),
      security: security(rule),
    }
  }

  private operationId(detail: Detail, route: DeclaredRoute, method: string): string {
    const id = detail.operationId
    if (id === undefined) throw new Error(`${route.method} ${route.path} declares no operationId`)
    if (route.method === 'ALL') return `${id}${capitalize(method)}`
    return method === 'head' ? headId(id) : id
  }

  build(routes: readonly DeclaredRoute[], info: DocumentInfo): Json {
    const paths: Record<string, Record<string, Json>> = {}
    for (const route of routes) {
      const detail = (route.hooks?.detail ?? {}) as Detail
      if (detail.hide) continue
      const rule = declaredRule(detail) ?? unknownRoute(route.method)
      const path = templatePath(route.path, detail.parameters ?? [])
      const methods = route.method === 'ALL' ? (methodsOf(detail) ?? []) : [route.method]
      // Elysia answers HEAD through the GET route: the same replies, without their bodies.
      if (route.method === 'GET') methods.push('HEAD')
      paths[path] ??= {}
      for (const method of methods) paths[path][method.toLowerCase()] = this.operation(route, method.toLowerCase(), detail, rule)
    }
    return {
      openapi: '3.1.0',
      info: { title: info.title, version: info.version, description: info.description },
      servers: [{ url: '/', description: 'this server' }],
      tags: info.tags,
      paths,
      components: {
        schemas: Object.fromEntries(Object.entries(this.schemas.components).sort(([a], [b]) => a.localeCompare(b))),
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description:
              'A token from --token SCOPE:SECRET, FASTCACHE_TOKENS or --token-file, sent as Authorization: Bearer <secret>. ' +
              'Scopes: read < write < admin (each covers the ones before). With no token configured, no route needs one.',
          },
        },
      },
    }
  }
}

/** The OpenAPI 3.1 document of these routes: every operation, its parameters, bodies, replies and scope. */
export const openApiDocument = (routes: readonly DeclaredRoute[], info: DocumentInfo): Json => new DocumentBuilder().build(routes, info)
