// Runs in the browser: starts Swagger UI (bundled in the binary) on this server's OpenAPI document.
// With tokens on, the document is read with a pasted admin token (token.js asks for it), and the
// document gets a bearer scheme if it declares none, so "Authorize" can set another token.
;(() => {
  const root = document.getElementById('swagger-ui')
  const tokensOn = document.querySelector('meta[name="fastcache-tokens"]')?.getAttribute('content') === 'on'

  function withBearerScheme(doc) {
    doc.components ??= {}
    doc.components.securitySchemes ??= {}
    if (Object.keys(doc.components.securitySchemes).length > 0) return doc
    doc.components.securitySchemes.bearer = {
      type: 'http',
      scheme: 'bearer',
      description: 'A fastcache token: the part after "read:", "write:" or "admin:".',
    }
    doc.security ??= [{ bearer: [] }]
    return doc
  }

  function fail(message) {
    const note = document.createElement('p')
    note.className = 'viewer-error'
    note.textContent = message
    root.replaceChildren(note)
  }

  window.fastcacheAuth
    .fetch('openapi/json', { headers: { accept: 'application/json' } })
    .then((response) => {
      if (!response.ok) throw new Error(`the OpenAPI document answered ${response.status}`)
      return response.json()
    })
    .then((doc) => {
      window.ui = window.SwaggerUIBundle({
        spec: tokensOn ? withBearerScheme(doc) : doc,
        dom_id: '#swagger-ui',
        // The default would send the document to an online validator and show its badge.
        validatorUrl: null,
        deepLinking: true,
        persistAuthorization: false,
        displayRequestDuration: true,
        // The token pasted to read the document goes with "Try it out" too, unless Authorize set another.
        requestInterceptor: (request) => {
          const header = window.fastcacheAuth.header()
          if (header && !request.headers.Authorization && !request.headers.authorization) request.headers.Authorization = header
          return request
        },
      })
    })
    .catch((error) => fail(`Could not load the API description: ${error.message}`))
})()
