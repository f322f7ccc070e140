import { tokenMeta } from '../../http/pages/token-meta'
import { escapeHtml } from '../../http/static-asset'

/** The viewer's page: Swagger UI's files and our start script, all from this server (paths relative to /openapi). */
export const viewerPage = (title: string, tokensOn: boolean, documentNeedsToken: boolean) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="fastcache-tokens" content="${tokensOn ? 'on' : 'off'}">
${tokenMeta(documentNeedsToken)}
<title>${escapeHtml(title)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="openapi/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="openapi/token.js"></script>
<script src="openapi/swagger-ui-bundle.js"></script>
<script src="openapi/viewer.js"></script>
</body>
</html>
`
