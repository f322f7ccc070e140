/**
 * The page at /openapi: Scalar's API reference over /openapi/json, loaded from its CDN as the
 * @elysiajs/openapi plugin served it before (the offline, bundled viewer replaces this page).
 */
export const viewerPage = () => `<!doctype html>
<html>
  <head>
    <title>fastcache API</title>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
  </head>
  <body>
    <script id="api-reference" data-url="openapi/json"></script>
    <script src="https://cdn.jsdelivr.net/npm/@scalar/api-reference@latest/dist/browser/standalone.min.js" crossorigin></script>
  </body>
</html>
`
