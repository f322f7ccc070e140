// Runs in the browser: polls /dashboard/data every second and draws it with uPlot (bundled in the
// binary, like this file). Every text from the server goes in with textContent, never as HTML.
;(() => {
  const POLL_MS = 1000
  /** Points kept on the page: five minutes at one a second. */
  const WINDOW = 300
  /** The most request series drawn; the rest are in the total. */
  const REQUEST_SERIES = 6
  const COLORS = ['#2563eb', '#dc2626', '#16a34a', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#4b5563']

  const byId = (id) => document.getElementById(id)
  const state = { since: 0, points: [], updates: 0, charts: new Map() }

  const units = (value, base, names) => {
    let unit = 0
    while (Math.abs(value) >= base && unit < names.length - 1) {
      value /= base
      unit++
    }
    return `${value.toFixed(value >= 100 || unit === 0 ? 0 : 1)}${names[unit]}`
  }
  const bytes = (value) => (value === null || value === undefined ? '–' : units(value, 1024, [' B', ' KiB', ' MiB', ' GiB', ' TiB']))
  const count = (value) => (value === null || value === undefined ? '–' : units(value, 1000, ['', 'k', 'M', 'G']))
  const rate = (value) => (value === null || value === undefined ? '–' : value < 10 ? value.toFixed(1) : count(value))
  const percent = (value) => (value === null || value === undefined ? '–' : `${value.toFixed(1)}%`)
  const ms = (value) =>
    value === null || value === undefined ? '–' : value < 1 ? `${(value * 1000).toFixed(0)} µs` : `${value.toFixed(1)} ms`
  const sum = (values) => values.reduce((a, b) => a + b, 0)
  const ratio = (outcomes) => {
    const lookups = outcomes.hits + outcomes.misses
    return lookups === 0 ? null : (100 * outcomes.hits) / lookups
  }
  const ago = (at, now) => {
    const seconds = Math.max(0, Math.round((now - at) / 1000))
    if (seconds < 120) return `${seconds} s ago`
    if (seconds < 7200) return `${Math.round(seconds / 60)} min ago`
    return `${Math.round(seconds / 3600)} h ago`
  }

  /** One chart: rebuilt when its series change (a new route or upstream), otherwise given new data. */
  function draw(id, series, data, axes) {
    const element = byId(id)
    const labels = series.map((s) => s.label).join('\n')
    let chart = state.charts.get(id)
    if (chart !== undefined && chart.labels !== labels) {
      chart.plot.destroy()
      chart = undefined
    }
    if (chart === undefined) {
      const options = {
        width: Math.max(200, element.clientWidth),
        height: 220,
        scales: { x: { time: true }, ...(axes.scales ?? {}) },
        series: [{}, ...series.map((s, i) => ({ stroke: COLORS[i % COLORS.length], width: 1.5, spanGaps: false, ...s }))],
        axes: [{}, ...axes.y],
        // Labels only: the values are in the tiles, and a hover shows none in a screenshot.
        legend: { live: false },
      }
      chart = { plot: new window.uPlot(options, data, element), labels }
      state.charts.set(id, chart)
    } else {
      chart.plot.setData(data)
    }
  }

  const times = (points) => points.map((p) => p.t / 1000)
  const axis = (format, extra = {}) => ({ values: (_, ticks) => ticks.map(format), size: 80, ...extra })

  function drawRequests(points) {
    const totals = new Map()
    for (const point of points) {
      for (const [name, value] of Object.entries(point.requests)) totals.set(name, (totals.get(name) ?? 0) + value)
    }
    const top = [...totals.entries()]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .slice(0, REQUEST_SERIES)
      .map(([name]) => name)
      .sort()
    const series = [{ label: 'all', value: (_, v) => rate(v) }, ...top.map((name) => ({ label: name, value: (_, v) => rate(v) }))]
    const data = [
      times(points),
      points.map((p) => sum(Object.values(p.requests))),
      ...top.map((name) => points.map((p) => p.requests[name] ?? 0)),
    ]
    draw('chart-requests', series, data, { y: [axis(rate)] })
  }

  function drawHitRatio(points, upstreams) {
    const series = [
      { label: 'keys', value: (_, v) => percent(v) },
      ...upstreams.map((name) => ({ label: `proxy ${name}`, value: (_, v) => percent(v) })),
    ]
    const data = [
      times(points),
      points.map((p) => ratio(p.keys)),
      ...upstreams.map((name) => points.map((p) => ratio(p.upstreams[name] ?? { hits: 0, misses: 0 }))),
    ]
    draw('chart-hit-ratio', series, data, { y: [axis(percent)], scales: { y: { range: [0, 100] } } })
  }

  function drawMemory(points, maxBytes) {
    const series = [
      { label: 'charged', value: (_, v) => bytes(v) },
      { label: '--max-memory', value: (_, v) => bytes(v), dash: [6, 4] },
      { label: 'RSS', value: (_, v) => bytes(v) },
    ]
    const data = [times(points), points.map((p) => p.bytes), points.map(() => maxBytes), points.map((p) => p.rss)]
    draw('chart-memory', series, data, { y: [axis(bytes)], scales: { y: { range: (_, __, max) => [0, Math.max(max, 1024) * 1.05] } } })
  }

  function drawItems(points) {
    const series = [
      { label: 'items', scale: 'items', value: (_, v) => count(v) },
      { label: 'evictions/s', scale: 'rate', value: (_, v) => rate(v) },
      { label: 'expirations/s', scale: 'rate', value: (_, v) => rate(v) },
      { label: 'sets/s', scale: 'rate', value: (_, v) => rate(v) },
    ]
    const data = [
      times(points),
      points.map((p) => p.items),
      points.map((p) => p.evictions),
      points.map((p) => p.expirations),
      points.map((p) => p.sets),
    ]
    const axes = { y: [axis(count, { scale: 'items' }), axis(rate, { scale: 'rate', side: 1, grid: { show: false } })] }
    draw('chart-items', series, data, { ...axes, scales: { items: { range: (_, __, max) => [0, Math.max(max, 10)] } } })
  }

  function drawLatency(points) {
    const series = [
      { label: 'p50', value: (_, v) => ms(v) },
      { label: 'p99', value: (_, v) => ms(v) },
    ]
    draw('chart-latency', series, [times(points), points.map((p) => p.p50Ms), points.map((p) => p.p99Ms)], { y: [axis(ms)] })
  }

  function table(id, head, rows) {
    const element = byId(id)
    const tr = (cells, tag) => {
      const row = document.createElement('tr')
      for (const cell of cells) {
        const td = document.createElement(tag)
        const [text, className] = Array.isArray(cell) ? cell : [cell, '']
        td.textContent = text
        if (className) td.className = className
        row.append(td)
      }
      return row
    }
    const children = []
    if (head.length > 0) children.push(tr(head, 'th'))
    for (const row of rows) children.push(tr(row, 'td'))
    element.replaceChildren(...children)
  }

  function showTier(current, latest) {
    const tier = current.tier
    if (tier === null) {
      table('tier', [], [['off (this instance keeps its own keys)']])
      return
    }
    const rows = [['status', tier.available ? 'Redis connected' : 'Redis unavailable', '']]
    for (const [name, value] of Object.entries(tier.counters)) {
      rows.push([name, [count(value), 'number'], [`${rate(latest?.tier?.[name] ?? 0)}/s`, 'number']])
    }
    table('tier', ['', ['total', 'number'], ['now', 'number']], rows)
  }

  function showPersistence(current, now) {
    const files = current.persistence
    if (files === null) {
      table('persistence', [], [['off (no --data-dir)']])
      return
    }
    const snapshot = files.snapshot
    table(
      'persistence',
      [],
      [
        ['last snapshot', snapshot === null ? 'none yet' : `${ago(snapshot.at, now)} (${new Date(snapshot.at).toLocaleTimeString()})`],
        ['snapshot size', snapshot === null ? '–' : bytes(snapshot.bytes)],
        ['journal', `${bytes(files.journalBytes)} in ${files.journals} file${files.journals === 1 ? '' : 's'}`],
      ],
    )
  }

  const prefixName = (row) => (row.kind === 'none' ? '(no / or :)' : row.kind === 'internal' ? `[${row.name}]` : row.name)

  function showPrefixes(prefixes) {
    const rows = (list, key) =>
      list.map((row) => {
        const total = key === 'count' ? prefixes.items : sum(prefixes.byBytes.map((r) => r.bytes))
        const share = total === 0 ? 0 : (100 * row[key]) / total
        return [
          [prefixName(row), 'name'],
          [count(row.count), 'number'],
          [bytes(row.bytes), 'number'],
          [percent(share), 'number'],
        ]
      })
    const head = ['prefix', ['keys', 'number'], ['bytes', 'number'], ['share', 'number']]
    table('prefixes-count', head, rows(prefixes.byCount, 'count'))
    table('prefixes-bytes', head, rows(prefixes.byBytes, 'bytes'))
    byId('prefixes-note').textContent =
      prefixes.sampledEntries >= prefixes.items
        ? `Every entry read (${count(prefixes.items)}).`
        : `Estimated from a sample of ${count(prefixes.sampledEntries)} of ${count(prefixes.items)} entries.`
  }

  function showTiles(points, current) {
    const latest = points.at(-1)
    const recent = points.slice(-10)
    byId('tile-rps').textContent = latest === undefined ? '–' : rate(sum(Object.values(latest.requests)))
    byId('tile-hit-ratio').textContent = percent(
      ratio({ hits: sum(recent.map((p) => p.keys.hits)), misses: sum(recent.map((p) => p.keys.misses)) }),
    )
    byId('tile-memory').textContent = `${bytes(current.bytes)} (${percent((100 * current.bytes) / current.maxBytes)})`
    byId('tile-rss').textContent = bytes(current.rss)
    byId('tile-items').textContent = count(current.items)
    byId('tile-evictions').textContent = rate(latest?.evictions)
    byId('tile-expirations').textContent = rate(latest?.expirations)
    byId('tile-latency').textContent = latest === undefined ? '–' : `${ms(latest.p50Ms)} / ${ms(latest.p99Ms)}`
  }

  function show(data) {
    state.points.push(...data.points)
    if (state.points.length > WINDOW) state.points.splice(0, state.points.length - WINDOW)
    state.since = state.points.at(-1)?.t ?? state.since
    const { points } = state
    const current = data.current
    byId('version').textContent = `v${data.version}`
    byId('uptime').textContent = `up ${units(current.uptimeSeconds, 60, [' s', ' min', ' h'])}`
    showTiles(points, current)
    drawRequests(points)
    drawHitRatio(points, data.upstreams)
    drawMemory(points, current.maxBytes)
    drawItems(points)
    drawLatency(points)
    showTier(current, points.at(-1))
    showPersistence(current, data.now)
    showPrefixes(current.prefixes)
  }

  function setStatus(text, failed) {
    const status = byId('status')
    status.textContent = text
    status.classList.toggle('error', failed)
  }

  async function poll() {
    try {
      const response = await window.fastcacheAuth.fetch(`dashboard/data?since=${state.since}`, {
        headers: { accept: 'application/json' },
        cache: 'no-store',
      })
      if (!response.ok) throw new Error(`the server answered ${response.status}`)
      show(await response.json())
      state.updates++
      // For the browser test: how many answers the page has drawn.
      document.body.dataset.updates = String(state.updates)
      setStatus(`live · ${new Date().toLocaleTimeString()}`, false)
    } catch (error) {
      setStatus(`not updating: ${error.message}`, true)
    } finally {
      setTimeout(poll, POLL_MS)
    }
  }

  window.addEventListener('resize', () => {
    for (const [id, chart] of state.charts) chart.plot.setSize({ width: Math.max(200, byId(id).clientWidth), height: 220 })
  })
  poll()
})()
