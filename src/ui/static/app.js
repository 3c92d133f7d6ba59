// sched ui: the page. Plain ES module, no dependencies, no build step; talks to the JSON API of
// src/ui/server.ts (the token travels in an HttpOnly cookie the server set). Every value from the
// API is escaped before it reaches the DOM.
/* global document, window, location, fetch, performance, setTimeout, setInterval, URLSearchParams, EventSource */

const POLL_MS = 3000;
const view = document.getElementById('view');
const state = {
  projects: [],
  project: null,
  readOnly: false,
  /** ETag cache of polled GETs: url -> { etag, data }. */
  cache: new Map(),
  timer: null,
  /** The plan shown in the panel: what Apply sends back. */
  plan: null,
  follow: null,
  route: '',
  filter: 'all',
  timeline: { hours: 24, zoom: 1, from: '' },
  job: { page: 1, run: null, followWhole: false },
};

// ------------------------------------------------------------------------------------------
// Helpers

const ESC = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const esc = (v) => String(v ?? '').replace(/[&<>"']/g, (c) => ESC[c]);
const q = (params) => new URLSearchParams(params).toString();

function duration(ms) {
  if (ms === null || ms === undefined) return '';
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s % 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

function relative(iso) {
  if (!iso) return '';
  const diff = Date.parse(iso) - Date.now();
  const abs = Math.abs(diff);
  let text;
  if (abs < 60_000) text = `${Math.round(abs / 1000)} s`;
  else if (abs < 3_600_000) text = `${Math.round(abs / 60_000)} min`;
  else if (abs < 86_400_000)
    text = `${Math.floor(abs / 3_600_000)} h ${Math.round((abs % 3_600_000) / 60_000)} min`;
  else text = `${Math.round(abs / 86_400_000)} d`;
  return diff >= 0 ? `in ${text}` : `${text} ago`;
}

// One formatter for every date: toLocaleString() builds a new one per call, which is what makes
// a table of 1,000 rows slow.
const DATE_TIME = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
const absolute = (iso) => (iso ? DATE_TIME.format(new Date(iso)) : '');

function toast(text, isError = false) {
  const box = document.getElementById('toast');
  const item = document.createElement('div');
  item.textContent = text;
  if (isError) item.className = 'error';
  box.append(item);
  setTimeout(() => item.remove(), isError ? 9000 : 4000);
}

class ApiError extends Error {
  constructor(status, body) {
    super(body?.error ?? `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

/** GET with the ETag cache: `changed` is false when the server answered 304. */
async function get(url) {
  const cached = state.cache.get(url);
  const res = await fetch(url, { headers: cached ? { 'if-none-match': cached.etag } : {} });
  if (res.status === 304 && cached) return { data: cached.data, changed: false };
  const data = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, data);
  const etag = res.headers.get('etag');
  if (etag) state.cache.set(url, { etag, data });
  return { data, changed: true };
}

async function post(url, body) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ project: state.project, ...body }),
  });
  const data = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

function errorText(e) {
  const hint = e.body?.hint ? ` — ${e.body.hint}` : '';
  const problems = e.body?.problems ? `\n${e.body.problems.join('\n')}` : '';
  return `${e.message}${hint}${problems}`;
}

const badge = (cls, text) => `<span class="badge ${esc(cls)}">${esc(text)}</span>`;

// ------------------------------------------------------------------------------------------
// Overview

const STATUSES = ['failed', 'overdue', 'running', 'paused', 'drift', 'ok'];

function actionButtons(row) {
  if (state.readOnly) return '';
  const job = esc(row.job);
  const paused = row.state === 'paused';
  return (
    `<button type="button" data-action="run-now" data-job="${job}" ${paused || row.state === 'not_applied' ? 'disabled' : ''}>Run now</button> ` +
    (paused || row.drift === 'paused'
      ? `<button type="button" data-action="resume" data-job="${job}">Resume</button>`
      : `<button type="button" data-action="pause" data-job="${job}">Pause</button>`)
  );
}

function overviewRow(row) {
  const last = row.last_run
    ? `${badge(`r-${row.result}`, row.result)} <span title="${esc(absolute(row.last_run))}">${esc(relative(row.last_run))}</span>` +
      `<div class="small muted">${row.exit_code !== null ? `exit ${esc(row.exit_code)} · ` : ''}${esc(duration(row.duration_ms))}</div>`
    : '<span class="muted">never ran</span>';
  const next = row.next_run
    ? `${esc(relative(row.next_run))}<div class="small muted">${esc(absolute(row.next_run))}</div>`
    : `<span class="muted">${row.state === 'paused' ? 'paused' : '—'}</span>`;
  const notes = [row.overdue, row.drift ? `drift: ${row.drift}` : null].filter(Boolean);
  return (
    `<div role="row" class="row ${esc(row.ui_status)}" data-status="${esc(row.ui_status)}" data-job="${esc(row.job)}">` +
    `<div role="cell">${badge(`s-${row.ui_status}`, row.ui_status)}</div>` +
    `<div role="cell"><a href="#/job/${encodeURIComponent(row.job)}">${esc(row.job)}</a>` +
    (notes.length ? `<div class="small muted">${notes.map(esc).join('<br>')}</div>` : '') +
    `</div><div role="cell">${esc(row.schedule ?? row.file_schedule ?? '')}<div class="small muted">${esc(row.timezone ?? '')}${row.schedule_edited_by_hand ? ' · edited by hand' : ''}</div></div>` +
    `<div role="cell">${next}</div><div role="cell">${last}</div><div role="cell" class="actions">${actionButtons(row)}</div></div>`
  );
}

/** Renders rows into the overview table; returns the time it took (ms). Exposed for the browser test. */
function renderOverviewRows(rows) {
  const t0 = performance.now();
  const shown = state.filter === 'all' ? rows : rows.filter((r) => r.ui_status === state.filter);
  const body = document.getElementById('jobs-body');
  body.innerHTML = shown.length
    ? shown.map(overviewRow).join('')
    : `<div role="row" class="row empty muted">No ${state.filter === 'all' ? '' : esc(state.filter) + ' '}jobs.</div>`;
  return performance.now() - t0;
}

function renderBanners(data) {
  const el = document.getElementById('banners');
  const items = [
    ...data.banners.map(
      (b) =>
        `<div class="banner ${esc(b.status)}" data-banner="${esc(b.id)}"><strong>${esc(b.message)}</strong>` +
        (b.fix ? `<div>${esc(b.fix)}</div>` : '') +
        '<div class="small">Run <code>sched doctor</code> for every check.</div></div>',
    ),
    ...data.warnings.map((w) => `<div class="banner warn">${esc(w)}</div>`),
  ];
  el.innerHTML = items.join('');
}

let lastOverview = null;

async function showOverview(force) {
  const url = `/api/overview?${q({ project: state.project })}`;
  const { data, changed } = await get(url);
  if (!changed && !force && lastOverview === data) return;
  lastOverview = data;
  renderBanners(data);
  const chips = ['all', ...STATUSES]
    .map((s) => {
      const n = s === 'all' ? data.jobs.length : data.counts[s];
      return `<button type="button" class="chip" data-filter="${s}" aria-pressed="${state.filter === s}">${s} (${n})</button>`;
    })
    .join('');
  if (!document.getElementById('jobs-body')) {
    view.innerHTML =
      '<h1 id="title"></h1><div class="muted" id="subtitle"></div><div class="chips" id="chips"></div>' +
      // Rows are grid rows with content-visibility: the browser lays out only those on screen,
      // so 1,000 jobs cost about what 20 do.
      '<div id="jobs" role="table" aria-label="Jobs"><div role="row" class="row head">' +
      '<div role="columnheader">Status</div><div role="columnheader">Job</div><div role="columnheader">Schedule</div>' +
      '<div role="columnheader">Next run</div><div role="columnheader">Last run</div><div role="columnheader"></div></div>' +
      '<div id="jobs-body" role="rowgroup"></div></div>';
  }
  document.getElementById('title').textContent = `Project ${data.project}`;
  document.getElementById('subtitle').textContent =
    `backend ${data.backend} (${data.backend_reason})${data.file ? ` · ${data.file}` : ''}`;
  document.getElementById('chips').innerHTML = chips;
  const ms = renderOverviewRows(data.jobs);
  view.dataset.renderMs = ms.toFixed(1);
}

// ------------------------------------------------------------------------------------------
// Timeline

const SVG_NS = 'http://www.w3.org/2000/svg';

function timelineSvg(data, width) {
  const from = Date.parse(data.from);
  const to = Date.parse(data.to);
  const span = to - from;
  const labelW = 190;
  const lane = 22;
  const top = 86;
  const plotW = width - labelW - 10;
  const height = top + data.jobs.length * lane + 20;
  const x = (t) => labelW + ((t - from) / span) * plotW;
  const parts = [];
  // Ticks on the viewer's local hours: every hour (24 h) or every 6 hours (7 d), labels spaced out.
  const stepH = span <= 36 * 3600_000 ? 1 : 6;
  const first = new Date(from);
  first.setMinutes(0, 0, 0);
  let i = 0;
  const pxPerStep = (plotW / span) * stepH * 3600_000;
  const every = Math.max(1, Math.ceil(70 / pxPerStep));
  for (let t = first.getTime() + 3600_000; t < to; t += stepH * 3600_000, i++) {
    const d = new Date(t);
    const day = d.getHours() === 0;
    parts.push(
      `<line class="grid-line" x1="${x(t)}" x2="${x(t)}" y1="${top - 8}" y2="${height - 10}" ${day ? 'stroke-width="2"' : ''}/>`,
    );
    if (i % every === 0 || day) {
      const label = day
        ? d.toLocaleDateString(undefined, { weekday: 'short', day: 'numeric', month: 'short' })
        : `${String(d.getHours()).padStart(2, '0')}:00`;
      parts.push(`<text x="${x(t) + 2}" y="${top - 10}">${esc(label)}</text>`);
    }
  }
  // How many jobs fire per bucket: pile-ups show as tall bars.
  const bucketMs = span <= 36 * 3600_000 ? 15 * 60_000 : 3600_000;
  const buckets = new Map();
  for (const j of data.jobs)
    for (const f of j.fires) {
      const b = Math.floor((Date.parse(f) - from) / bucketMs);
      buckets.set(b, (buckets.get(b) ?? 0) + 1);
    }
  const maxCount = Math.max(1, ...buckets.values());
  for (const [b, n] of buckets) {
    const h = Math.max(2, (n / maxCount) * 30);
    parts.push(
      `<rect x="${x(from + b * bucketMs)}" y="${36 - h + 4}" width="${Math.max(1, (bucketMs / span) * plotW - 1)}" height="${h}" fill="#bc4c00" opacity="0.55"><title>${n} start(s) from ${esc(DATE_TIME.format(new Date(from + b * bucketMs)))}</title></rect>`,
    );
  }
  parts.push(
    `<text x="4" y="30">starts per ${bucketMs === 3600_000 ? 'hour' : '15 min'} (max ${maxCount})</text>`,
  );
  data.jobs.forEach((j, row) => {
    const y = top + row * lane;
    parts.push(
      `<text x="4" y="${y + 15}"><title>${esc(j.schedule)} (${esc(j.timezone)})</title>${esc(j.job.length > 26 ? j.job.slice(0, 25) + '…' : j.job)}</text>`,
    );
    parts.push(
      `<line class="grid-line" x1="${labelW}" x2="${width - 10}" y1="${y + lane - 1}" y2="${y + lane - 1}"/>`,
    );
    const durMs = j.typical_duration_ms ?? 0;
    const w = Math.max(2, (durMs / span) * plotW);
    for (const f of j.fires) {
      const t = Date.parse(f);
      parts.push(
        `<rect class="fire" x="${x(t)}" y="${y + 4}" width="${Math.min(w, width - 10 - x(t))}" height="${lane - 9}" rx="2"><title>${esc(j.job)} at ${esc(absolute(f))}${j.typical_duration_ms !== null ? `, typically ${esc(duration(durMs))}` : ''}</title></rect>`,
      );
    }
    if (j.truncated)
      parts.push(`<text x="${width - 120}" y="${y + 15}" class="muted">(more not shown)</text>`);
  });
  for (const c of data.clock_changes) {
    const cx = x(Date.parse(c.at));
    parts.push(`<line class="clock" x1="${cx}" x2="${cx}" y1="${top - 40}" y2="${height - 10}"/>`);
    parts.push(
      `<text x="${cx + 3}" y="${top - 28}" fill="#bc4c00" data-clock-change="${esc(c.timezone)}">clock change ${esc(c.timezone)} ${esc(c.offset_before)} → ${esc(c.offset_after)}</text>`,
    );
  }
  if (!state.timeline.from)
    parts.push(`<line class="now" x1="${labelW}" x2="${labelW}" y1="${top - 30}" y2="${height - 10}"/>`);
  return `<svg xmlns="${SVG_NS}" id="timeline-svg" width="${width}" height="${height}" role="img" aria-label="Fire times of the next ${data.jobs.length ? 'jobs' : ''}">${parts.join('')}</svg>`;
}

async function showTimeline(force) {
  const { hours, zoom, from } = state.timeline;
  const params = { project: state.project, hours };
  // A chosen day starts at the viewer's local midnight.
  if (from) params.from = new Date(`${from}T00:00:00`).toISOString();
  const { data, changed } = await get(`/api/timeline?${q(params)}`);
  if (!changed && !force) return;
  const width = Math.max(700, (view.clientWidth || 1100) - 4) * zoom;
  const opt = (h, label) =>
    `<button type="button" data-hours="${h}" aria-pressed="${hours === h}" class="chip">${label}</button>`;
  view.innerHTML =
    `<h1>Timeline — project ${esc(data.project)}</h1>` +
    `<div class="toolbar">${opt(24, 'Next 24 h')}${opt(168, 'Next 7 days')}` +
    `<label class="muted">From <input type="date" id="tl-from" value="${esc(from)}"></label>` +
    `<button type="button" data-today="1" ${from ? '' : 'disabled'}>Now</button>` +
    `<span class="muted">Zoom</span><button type="button" data-zoom="out" ${zoom <= 1 ? 'disabled' : ''}>−</button>` +
    `<span>${zoom}×</span><button type="button" data-zoom="in" ${zoom >= 16 ? 'disabled' : ''}>+</button>` +
    `<span class="muted small">Bars are each job's typical run time (median of its last runs). Dashed lines: clock changes.</span></div>` +
    (data.clock_changes.length
      ? `<div class="banner warn" id="clock-changes">Clock changes in this window: ${data.clock_changes
          .map(
            (c) =>
              `${esc(c.timezone)} at ${esc(absolute(c.at))} (${esc(c.offset_before)} → ${esc(c.offset_after)}; jobs ${esc(c.jobs.join(', '))})`,
          )
          .join('; ')}</div>`
      : '') +
    (data.jobs.length
      ? `<div class="svgwrap">${timelineSvg(data, width)}</div>`
      : '<p class="muted">No enabled job is applied: nothing fires.</p>');
}

// ------------------------------------------------------------------------------------------
// Job page

function historyChart(runs) {
  const finished = runs
    .filter((r) => r.duration_ms !== null)
    .slice(0, 60)
    .reverse();
  if (!finished.length) return '<p class="muted">No finished run yet.</p>';
  const w = 700;
  const h = 140;
  const max = Math.max(...finished.map((r) => r.duration_ms), 1);
  const bw = Math.min(24, (w - 60) / finished.length - 2);
  const colors = { ok: '#1a7f37', skipped: '#6e7781', replaced: '#6e7781' };
  const bars = finished
    .map((r, i) => {
      const bh = Math.max(2, (r.duration_ms / max) * (h - 30));
      return `<rect x="${50 + i * (bw + 2)}" y="${h - 15 - bh}" width="${bw}" height="${bh}" fill="${colors[r.result] ?? '#cf222e'}" data-result="${esc(r.result)}"><title>${esc(absolute(r.start))}: ${esc(r.result)}, ${esc(duration(r.duration_ms))}</title></rect>`;
    })
    .join('');
  return `<svg xmlns="${SVG_NS}" width="${w}" height="${h}" id="history-chart" role="img" aria-label="Duration per run"><text x="0" y="12">${esc(duration(max))}</text><text x="0" y="${h - 15}">0</text><line class="grid-line" x1="48" x2="${w}" y1="${h - 15}" y2="${h - 15}"/>${bars}</svg>`;
}

function diffHtml(text) {
  return text
    .split('\n')
    .map((l) => {
      const cls =
        l.startsWith('+') && !l.startsWith('+++')
          ? 'add'
          : l.startsWith('-') && !l.startsWith('---')
            ? 'del'
            : l.startsWith('@@')
              ? 'hunk'
              : '';
      return `<span class="${cls}">${esc(l)}</span>`;
    })
    .join('\n');
}

function stopFollow() {
  if (state.follow) state.follow.close();
  state.follow = null;
}

function logLineHtml(l) {
  return `<span class="t">${esc(l.time.slice(11, 19))}</span> <span class="${esc(l.stream)}">${esc(l.text)}</span>`;
}

async function showLog(job, runId, follow) {
  stopFollow();
  const box = document.getElementById('log');
  const title = document.getElementById('log-title');
  const params = { project: state.project, job };
  if (runId) params.run = runId;
  const res = await fetch(`/api/log?${q(params)}`);
  const data = await res.json();
  if (!res.ok) throw new ApiError(res.status, data);
  title.textContent = runId
    ? `Log of run ${runId}${data.running ? ' (running)' : ''}`
    : 'Whole log (last lines)';
  box.innerHTML = data.lines.map(logLineHtml).join('\n') || '<span class="muted">(no output)</span>';
  box.scrollTop = box.scrollHeight;
  if (follow || data.running) {
    const src = new EventSource(`/api/log/follow?${q({ project: state.project, job })}`);
    state.follow = src;
    title.textContent += ' — following live';
    src.onmessage = (ev) => {
      const lines = JSON.parse(ev.data);
      box.insertAdjacentHTML('beforeend', '\n' + lines.map(logLineHtml).join('\n'));
      box.scrollTop = box.scrollHeight;
    };
  }
}

async function showJob(job, force) {
  const base = { project: state.project, job };
  const [detail, page, chart] = await Promise.all([
    get(`/api/job?${q(base)}`),
    get(`/api/history?${q({ ...base, page: state.job.page, per_page: 20 })}`),
    get(`/api/history?${q({ ...base, page: 1, per_page: 60 })}`),
  ]);
  if (!force && !detail.changed && !page.changed && !chart.changed) return;
  const d = detail.data;
  const row = d.job;
  const h = page.data;
  const pages = Math.max(1, Math.ceil(h.total / h.per_page));
  const table = h.runs.length
    ? `<table id="history-table"><thead><tr><th>Started</th><th>Result</th><th>Exit</th><th>Duration</th><th>Trigger</th><th></th></tr></thead><tbody>` +
      h.runs
        .map(
          (r) =>
            `<tr data-run="${esc(r.id)}" data-result="${esc(r.result)}"><td title="${esc(r.start)}">${esc(absolute(r.start))}</td><td>${badge(`r-${r.result}`, r.result)}${r.reason ? `<div class="small muted">${esc(r.reason)}</div>` : ''}</td>` +
            `<td>${esc(r.exit_code ?? r.signal ?? '')}</td><td>${esc(duration(r.duration_ms))}</td><td>${esc(r.trigger)}${r.attempt > 1 ? ` (attempt ${esc(r.attempt)})` : ''}</td>` +
            `<td><button type="button" data-log="${esc(r.id)}">Log</button></td></tr>`,
        )
        .join('') +
      '</tbody></table>' +
      `<div class="pager"><button type="button" data-page="${h.page - 1}" ${h.page <= 1 ? 'disabled' : ''}>Newer</button><span>page ${h.page} of ${pages} (${h.total} runs)</span><button type="button" data-page="${h.page + 1}" ${h.page >= pages ? 'disabled' : ''}>Older</button></div>`
    : '<p class="muted">No runs recorded.</p>';
  const artifacts = d.native_artifacts.length
    ? d.native_artifacts
        .map(
          (a) =>
            `<div class="small muted">${esc(a.backend)} · ${esc(a.kind)} · ${esc(a.id)}${a.registered ? '' : ' · not registered'}</div><pre class="block">${esc(a.content)}</pre>`,
        )
        .join('')
    : '<p class="muted">Nothing installed for this job.</p>';
  const drift = d.drift.length
    ? d.drift
        .map(
          (c) =>
            `<div class="small">${esc(c.target)} · ${esc(c.id)}: ${esc(c.action)} (${esc(c.reason)})</div><pre class="block diff">${diffHtml(c.diff)}</pre>`,
        )
        .join('')
    : '<p class="muted">In sync: apply would change nothing for this job.</p>';
  const hadLog = document.getElementById('log')?.innerHTML;
  view.innerHTML =
    `<h1>${esc(row.job)} ${badge(`s-${row.ui_status}`, row.ui_status)}</h1>` +
    `<div class="muted">${esc(row.schedule ?? row.file_schedule ?? '')} · ${esc(row.timezone ?? '')} · next ${esc(row.next_run ? `${relative(row.next_run)} (${absolute(row.next_run)})` : '—')}</div>` +
    (row.overdue ? `<div class="banner warn">${esc(row.overdue)}</div>` : '') +
    `<div class="toolbar">${actionButtons(row)}</div>` +
    `<h2>Runs</h2><div class="card">${historyChart(chart.data.runs)}</div>${table}` +
    `<h2 id="log-title">Log</h2><div class="toolbar"><button type="button" data-log="">Whole log</button><button type="button" data-follow="1">Follow live</button><button type="button" data-unfollow="1">Stop following</button></div><pre class="log" id="log"><span class="muted">Pick a run's Log.</span></pre>` +
    `<div class="grid"><div><h2>Applied spec</h2>${d.applied_spec ? `<div class="small muted">applied ${esc(absolute(d.applied_spec.applied_at))} on ${esc(d.applied_spec.backend)} from ${esc(d.applied_spec.source_file)}</div><pre class="block" id="spec">${esc(JSON.stringify(d.applied_spec.job, null, 2))}</pre>` : '<p class="muted">Not applied.</p>'}</div>` +
    `<div><h2>Native artifact</h2>${artifacts}<h2>Drift</h2>${drift}</div></div>`;
  // A re-render (poll) keeps what the log showed, and a live follow keeps its stream.
  if (hadLog && state.job.run !== undefined && state.job.run !== null) {
    document.getElementById('log').innerHTML = hadLog;
  }
  if (state.job.run !== null && !hadLog) await showLog(job, state.job.run || null, state.job.followWhole);
}

// ------------------------------------------------------------------------------------------
// Actions

function showPlan(plan, note) {
  state.plan = plan;
  document.getElementById('plan-panel').hidden = false;
  document.getElementById('plan-note').textContent = note;
  document.getElementById('plan-text').textContent = plan.text;
  const apply = document.getElementById('plan-apply');
  apply.disabled = plan.empty || state.readOnly;
  apply.hidden = state.readOnly;
}

async function act(action, job) {
  try {
    if (action === 'run-now') {
      const r = await post('/api/run-now', { job });
      toast(`Started ${job} through ${r.via}`);
    } else {
      const r = await post(`/api/${action}`, { job });
      const verb = action === 'pause' ? 'Paused' : 'Resumed';
      showPlan(
        r,
        r.changed
          ? `${verb} ${job} in ${lastOverview?.file ?? 'schedules.yaml'}. The host is unchanged until you apply this plan.`
          : `${r.note ?? 'Nothing to change'}: the file is unchanged.`,
      );
    }
  } catch (e) {
    toast(errorText(e), true);
  }
  await refresh(true);
}

async function applyPlan() {
  const plan = state.plan;
  if (!plan) return;
  const button = document.getElementById('plan-apply');
  button.disabled = true;
  try {
    const r = await post('/api/apply', {
      file_hash: plan.file_hash,
      host_fingerprint: plan.host_fingerprint,
    });
    document.getElementById('plan-panel').hidden = true;
    state.plan = null;
    toast(
      r.status === 'empty'
        ? 'Nothing to apply.'
        : `Apply complete: ${r.summary.add} added, ${r.summary.change} changed, ${r.summary.delete} deleted.`,
    );
  } catch (e) {
    if (e.status === 409 && e.body?.plan) showPlan(e.body.plan, `${e.message}. ${e.body.hint ?? ''}`);
    else toast(errorText(e), true);
    button.disabled = false;
  }
  await refresh(true);
}

// ------------------------------------------------------------------------------------------
// Routing and polling

function currentRoute() {
  const h = location.hash.replace(/^#/, '') || '/';
  const m = /^\/job\/(.+)$/.exec(h);
  if (m) return { name: 'job', job: decodeURIComponent(m[1]) };
  return { name: h === '/timeline' ? 'timeline' : 'overview' };
}

let refreshing = null;
async function refresh(force = false) {
  if (refreshing) return refreshing;
  const route = currentRoute();
  refreshing = (async () => {
    try {
      if (route.name === 'overview') await showOverview(force);
      else if (route.name === 'timeline') await showTimeline(force);
      else await showJob(route.job, force);
      document.body.dataset.ready = '1';
    } catch (e) {
      view.innerHTML = `<div class="banner fail">${esc(errorText(e))}</div>`;
      document.body.dataset.ready = '1';
    }
  })();
  try {
    await refreshing;
  } finally {
    refreshing = null;
  }
}

function navigate() {
  const route = currentRoute();
  stopFollow();
  const key = route.name === 'job' ? `job:${route.job}` : route.name;
  if (key !== state.route) {
    state.route = key;
    state.job = { page: 1, run: null, followWhole: false };
    view.innerHTML = '';
    lastOverview = null;
  }
  if (route.name !== 'overview') document.getElementById('banners').innerHTML = '';
  for (const a of document.querySelectorAll('[data-nav]'))
    a.classList.toggle('active', a.dataset.nav === (route.name === 'timeline' ? 'timeline' : 'overview'));
  void refresh(true);
}

view.addEventListener('click', (ev) => {
  const t = ev.target.closest('button');
  if (!t) return;
  const route = currentRoute();
  if (t.dataset.action) void act(t.dataset.action, t.dataset.job);
  else if (t.dataset.filter) {
    state.filter = t.dataset.filter;
    void showOverview(true);
  } else if (t.dataset.hours) {
    state.timeline.hours = Number(t.dataset.hours);
    void showTimeline(true);
  } else if (t.dataset.today) {
    state.timeline.from = '';
    void showTimeline(true);
  } else if (t.dataset.zoom) {
    state.timeline.zoom =
      t.dataset.zoom === 'in' ? Math.min(16, state.timeline.zoom * 2) : Math.max(1, state.timeline.zoom / 2);
    void showTimeline(true);
  } else if (t.dataset.page) {
    state.job.page = Number(t.dataset.page);
    void showJob(route.job, true);
  } else if (t.dataset.log !== undefined) {
    state.job.run = t.dataset.log;
    state.job.followWhole = false;
    void showLog(route.job, t.dataset.log || null, false).catch((e) => toast(errorText(e), true));
  } else if (t.dataset.follow) {
    state.job.run = '';
    state.job.followWhole = true;
    void showLog(route.job, null, true).catch((e) => toast(errorText(e), true));
  } else if (t.dataset.unfollow) {
    stopFollow();
    document.getElementById('log-title').textContent = 'Log';
  }
});

document.getElementById('plan-apply').addEventListener('click', () => void applyPlan());
document.getElementById('plan-close').addEventListener('click', () => {
  document.getElementById('plan-panel').hidden = true;
});
document.getElementById('review-plan').addEventListener('click', async () => {
  try {
    const plan = (await get(`/api/plan?${q({ project: state.project })}`)).data;
    showPlan(
      plan,
      plan.empty ? 'The host matches the file: nothing to apply.' : 'What apply would change now.',
    );
  } catch (e) {
    toast(errorText(e), true);
  }
});
view.addEventListener('change', (ev) => {
  if (ev.target.id === 'tl-from') {
    state.timeline.from = ev.target.value;
    void showTimeline(true);
  }
});
document.getElementById('project').addEventListener('change', (ev) => {
  state.project = ev.target.value;
  state.cache.clear();
  lastOverview = null;
  view.innerHTML = '';
  location.hash = '#/';
  navigate();
});
window.addEventListener('hashchange', navigate);

async function start() {
  const { data } = await get('/api/projects');
  state.projects = data.projects;
  state.readOnly = data.read_only;
  state.project = data.projects[0]?.project ?? null;
  const select = document.getElementById('project');
  select.innerHTML = data.projects
    .map((p) => `<option value="${esc(p.project)}">${esc(p.project)}</option>`)
    .join('');
  select.hidden = data.projects.length < 2;
  document.getElementById('mode').textContent = data.read_only ? 'read-only' : '';
  document.getElementById('review-plan').hidden = data.read_only;
  navigate();
  state.timer = setInterval(() => {
    if (!document.hidden) void refresh(false);
  }, POLL_MS);
}

// For the browser test: times rendering an overview of many rows.
window.schedUi = {
  renderOverviewRows: (rows) => renderOverviewRows(rows),
};

void start();
