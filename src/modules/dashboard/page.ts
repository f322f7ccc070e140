import { tokenMeta } from '../../http/pages/token-meta'

/** The dashboard's page: its charts and tables are filled by dashboard.js from `/dashboard/data` (paths relative to /dashboard). */
export const dashboardPage = (dataNeedsToken: boolean) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${tokenMeta(dataNeedsToken)}
<title>fastcache dashboard</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="dashboard/uPlot.min.css">
<link rel="stylesheet" href="dashboard/dashboard.css">
</head>
<body>
<header>
  <h1>fastcache</h1>
  <span id="version"></span>
  <span id="uptime"></span>
  <span id="status" role="status">connecting…</span>
</header>
<main>
<section class="tiles" aria-label="now">
  <div class="tile"><div class="label">Requests/s</div><div class="value" id="tile-rps">–</div></div>
  <div class="tile"><div class="label">Key hit ratio (10 s)</div><div class="value" id="tile-hit-ratio">–</div></div>
  <div class="tile"><div class="label">Memory (of --max-memory)</div><div class="value" id="tile-memory">–</div></div>
  <div class="tile"><div class="label">RSS</div><div class="value" id="tile-rss">–</div></div>
  <div class="tile"><div class="label">Items</div><div class="value" id="tile-items">–</div></div>
  <div class="tile"><div class="label">Evictions/s</div><div class="value" id="tile-evictions">–</div></div>
  <div class="tile"><div class="label">Expirations/s</div><div class="value" id="tile-expirations">–</div></div>
  <div class="tile"><div class="label">Latency p50 / p99</div><div class="value" id="tile-latency">–</div></div>
</section>
<section class="charts">
  <figure><figcaption>Requests per second by route and status</figcaption><div class="chart" id="chart-requests"></div></figure>
  <figure><figcaption>Hit ratio: keys, and the proxy by upstream (%)</figcaption><div class="chart" id="chart-hit-ratio"></div></figure>
  <figure><figcaption>Memory: charged against --max-memory, and RSS</figcaption><div class="chart" id="chart-memory"></div></figure>
  <figure><figcaption>Items; evictions and expirations per second</figcaption><div class="chart" id="chart-items"></div></figure>
  <figure><figcaption>Request latency (ms)</figcaption><div class="chart" id="chart-latency"></div></figure>
</section>
<section class="tables">
  <div><h2>Shared tier</h2><table id="tier"></table></div>
  <div><h2>Persistence</h2><table id="persistence"></table></div>
  <div><h2>Top key prefixes by count</h2><table id="prefixes-count"></table></div>
  <div><h2>Top key prefixes by bytes</h2><table id="prefixes-bytes"></table><p class="note" id="prefixes-note"></p></div>
</section>
</main>
<script src="dashboard/uPlot.iife.min.js"></script>
<script src="dashboard/token.js"></script>
<script src="dashboard/dashboard.js"></script>
</body>
</html>
`
