import { Elysia } from 'elysia'
import { Type } from '@sinclair/typebox'
import { access } from '../../access/rules'
import { reply } from '../../http/openapi/declare'
import { otherMethods } from '../../http/method-not-allowed'

const OpenApiDocument = Type.Object(
  { openapi: Type.String(), info: Type.Object({}), paths: Type.Object({}) },
  { additionalProperties: true, description: 'this document' },
)

/**
 * `GET /openapi/json`: the OpenAPI 3.1 document, built once from the composed app's routes (it
 * needs all of them, so the app hands it over when they are there). The viewer is modules/api-viewer.
 */
export function openapiModule(document: () => object) {
  let json: string | undefined
  return new Elysia({ name: 'openapi' })
    .get(
      '/openapi/json',
      () => {
        json ??= JSON.stringify(document())
        return new Response(json, { headers: { 'content-type': 'application/json' } })
      },
      {
        response: { 200: reply(OpenApiDocument, 'the OpenAPI 3.1 document of this server') },
        detail: { summary: 'This OpenAPI document', operationId: 'getOpenApiDocument', tags: ['observability'], ...access('metrics') },
      },
    )
    .use(otherMethods('/openapi/json', ['GET', 'HEAD']))
}
