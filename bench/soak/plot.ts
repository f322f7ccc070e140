// A small hand-written SVG of memory over the run: charged MiB and RSS MiB against seconds, with the
// bound as a dashed line. No plotting dependency: a few axes, ticks and polylines are all it needs.
import type { Sample } from './sampler'

const W = 760
const H = 360
const PAD = { left: 64, right: 24, top: 44, bottom: 48 }
const COLORS = { charged: '#1f77b4', rss: '#d95f02', bound: '#b2182b', grid: '#e5e5e5', axis: '#333' }

/** A round step (1, 2 or 5 × 10^k) that cuts `span` into about `target` intervals. */
function niceStep(span: number, target = 6): number {
  const raw = span / target
  const power = 10 ** Math.floor(Math.log10(raw))
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw)
  return step ?? 10 * power
}

const esc = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1))

/** Polylines through the points, broken where a value is missing (a sample that failed). */
function lines(points: (readonly [number, number] | undefined)[], color: string, dashed = false): string {
  const runs: string[][] = [[]]
  for (const p of points) {
    if (p === undefined) {
      if (runs.at(-1)!.length > 0) runs.push([])
    } else runs.at(-1)!.push(`${p[0].toFixed(1)},${p[1].toFixed(1)}`)
  }
  const dash = dashed ? ' stroke-dasharray="6 4"' : ''
  return runs
    .filter((r) => r.length > 0)
    .map((r) => `<polyline fill="none" stroke="${color}" stroke-width="1.8"${dash} points="${r.join(' ')}"/>`)
    .join('\n')
}

export function memoryPlot(samples: Sample[], boundBytes: number, loadS: number, title: string): string {
  const MiB = 1024 * 1024
  const boundMiB = boundBytes / MiB
  const top = Math.max(boundMiB, ...samples.map((s) => (s.rssKb ?? 0) / 1024), ...samples.map((s) => (s.stats?.bytes ?? 0) / MiB))
  const yStep = niceStep(top * 1.08)
  const yMax = Math.ceil((top * 1.08) / yStep) * yStep
  const xStep = niceStep(loadS, 6)
  const xMax = Math.max(xStep, Math.ceil(loadS / xStep) * xStep)
  const plotW = W - PAD.left - PAD.right
  const plotH = H - PAD.top - PAD.bottom
  const x = (s: number) => PAD.left + (s / xMax) * plotW
  const y = (v: number) => PAD.top + plotH - (v / yMax) * plotH

  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="14">${esc(title)}</text>`,
  ]
  for (let v = 0; v <= yMax + 1e-9; v += yStep) {
    out.push(`<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="${COLORS.grid}"/>`)
    out.push(`<text x="${PAD.left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${fmt(v)}</text>`)
  }
  for (let s = 0; s <= xMax + 1e-9; s += xStep) {
    out.push(
      `<line x1="${x(s).toFixed(1)}" x2="${x(s).toFixed(1)}" y1="${PAD.top + plotH}" y2="${PAD.top + plotH + 5}" stroke="${COLORS.axis}"/>`,
    )
    out.push(`<text x="${x(s).toFixed(1)}" y="${PAD.top + plotH + 18}" text-anchor="middle">${fmt(s)}</text>`)
  }
  out.push(
    `<line x1="${PAD.left}" x2="${PAD.left}" y1="${PAD.top}" y2="${PAD.top + plotH}" stroke="${COLORS.axis}"/>`,
    `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${PAD.top + plotH}" y2="${PAD.top + plotH}" stroke="${COLORS.axis}"/>`,
    `<text x="${PAD.left + plotW / 2}" y="${H - 10}" text-anchor="middle">seconds since the load started</text>`,
    `<text transform="translate(16 ${PAD.top + plotH / 2}) rotate(-90)" text-anchor="middle">MiB</text>`,
    lines(
      samples.map((s) => (s.rssKb === undefined ? undefined : ([x(s.t), y(s.rssKb / 1024)] as const))),
      COLORS.rss,
    ),
    lines(
      samples.map((s) => (s.stats === undefined ? undefined : ([x(s.t), y(s.stats.bytes / MiB)] as const))),
      COLORS.charged,
    ),
    // The bound last and dashed: a full cache's charged line lies right on it, and both stay visible.
    lines(
      [
        [x(0), y(boundMiB)],
        [x(xMax), y(boundMiB)],
      ],
      COLORS.bound,
      true,
    ),
  )
  const legend: [string, string, boolean][] = [
    ['RSS (/proc/PID/status VmRSS)', COLORS.rss, false],
    ['charged bytes (/v1/stats bytes)', COLORS.charged, false],
    [`bound (--max-memory, ${fmt(boundMiB)} MiB)`, COLORS.bound, true],
  ]
  legend.forEach(([label, color, dashed], i) => {
    const lx = PAD.left + 12 + i * 230
    const ly = PAD.top - 10
    out.push(
      `<line x1="${lx}" x2="${lx + 22}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="2"${dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
      `<text x="${lx + 28}" y="${ly + 4}">${esc(label)}</text>`,
    )
  })
  out.push('</svg>', '')
  return out.join('\n')
}
