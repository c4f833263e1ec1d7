// Tandem dashboard: polls the admin API (/api/v1/cluster, /api/v1/pools, /api/v1/limits, /api/v1/routes, /api/v1/http3, /api/v1/discovery), renders the cluster at a glance, computes
// request and error rates from counter deltas between polls, and drains / enables backends with the admin token.
// Plain JS, no dependencies, no network access beyond the node that serves it.
'use strict';

const API = '/api/v1';
const POLL_MILLIS = 1500;
const CHART_MILLIS = 5 * 60 * 1000;
const TOKEN_KEY = 'tandem.adminToken';

const KNOWN_CLUSTER = ['node', 'cluster', 'coordinator', 'quorum', 'minMembers', 'stateVersion', 'members', 'down',
  'vips', 'vipMoves', 'unavailable'];
const KNOWN_POOLS = ['pools', 'unavailable'];
const KNOWN_POOL = ['name', 'algorithm', 'persistence', 'backends', 'totals'];
const KNOWN_BACKEND = ['id', 'pool', 'address', 'source', 'health', 'adminState', 'weight', 'maxConnections',
  'connections', 'requests', 'errors', 'latencyMillis', 'unavailable'];

const state = {
  cluster: null,
  pools: null,
  limits: null, // null when the node has no /api/v1/limits (an older node) or it failed: the panel is hidden
  routes: null, // the same for /api/v1/routes
  http3: null, // the same for /api/v1/http3; hidden too when no listener has HTTP/3
  discovery: null, // the same for /api/v1/discovery; hidden too when no pool discovers backends in DNS
  lastOk: null,
  failure: null,
  // counters seen at the previous poll, to turn them into rates: key -> {requests, errors, at}
  previous: new Map(),
  rates: new Map(),
  history: [],
};

// ---------- small helpers ----------

const $ = (id) => document.getElementById(id);

function esc(value) {
  return String(value).replace(/[&<>"']/g, (c) => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;',
    "'": '&#39;'}[c]));
}

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const list = (v) => (Array.isArray(v) ? v : []);
const num = (v) => (typeof v === 'number' && isFinite(v) ? v : null);
const dash = '<span class="muted">–</span>';
const integer = new Intl.NumberFormat('en-US', {maximumFractionDigits: 0});
const decimal = new Intl.NumberFormat('en-US', {maximumFractionDigits: 1});

function count(v) {
  return num(v) === null ? dash : integer.format(v);
}

function rate(v) {
  if (v === null || v === undefined) return dash;
  return (v < 10 ? decimal : integer).format(v);
}

function percent(v) {
  if (v === null || v === undefined) return dash;
  return (v < 10 ? decimal : integer).format(v) + '%';
}

function duration(ms) {
  if (num(ms) === null) return dash;
  if (ms < 1000) return Math.round(ms) + ' ms';
  const s = Math.floor(ms / 1000);
  if (s < 60) return decimal.format(ms / 1000) + ' s';
  if (s < 3600) return Math.floor(s / 60) + 'm ' + String(s % 60).padStart(2, '0') + 's';
  if (s < 86400) return Math.floor(s / 3600) + 'h ' + String(Math.floor(s % 3600 / 60)).padStart(2, '0') + 'm';
  return Math.floor(s / 86400) + 'd ' + String(Math.floor(s % 86400 / 3600)).padStart(2, '0') + 'h';
}

function ago(iso) {
  const at = Date.parse(iso);
  if (isNaN(at)) return dash;
  return `<time datetime="${esc(iso)}" title="${esc(iso)}">${duration(Math.max(0, Date.now() - at))} ago</time>`;
}

function badge(value, kind) {
  if (value === null || value === undefined || value === '') return dash;
  return `<span class="badge ${esc(kind || value)}">${esc(value)}</span>`;
}

function humanize(key) {
  const words = String(key).replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[-_]/g, ' ').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

// Any JSON value, shown defensively: sections the dashboard does not know (such as rate limits) still get shown.
function generic(value, depth = 0) {
  if (value === null || value === undefined) return dash;
  if (typeof value !== 'object') return esc(value);
  if (depth > 2) return `<code>${esc(JSON.stringify(value))}</code>`;
  if (Array.isArray(value)) {
    if (value.length === 0) return '<span class="muted">none</span>';
    if (value.every(isObject)) {
      const keys = [...new Set(value.flatMap(Object.keys))];
      return `<table class="grid generic"><thead><tr>${keys.map((k) => `<th>${esc(humanize(k))}</th>`).join('')}</tr>`
        + `</thead><tbody>${value.map((row) => `<tr>${keys.map((k) => `<td>${generic(row[k], depth + 1)}</td>`)
          .join('')}</tr>`).join('')}</tbody></table>`;
    }
    return value.map((v) => generic(v, depth + 1)).join(', ');
  }
  const keys = Object.keys(value);
  if (keys.length === 0) return '<span class="muted">none</span>';
  return `<dl class="kv">${keys.map((k) => `<dt>${esc(humanize(k))}</dt><dd>${generic(value[k], depth + 1)}</dd>`)
    .join('')}</dl>`;
}

function unknownKeys(object, known) {
  return isObject(object) ? Object.keys(object).filter((k) => !known.includes(k)) : [];
}

// Updates `from` in place to look like `to`, so that elements (buttons, focus, selections) survive a refresh.
function morph(from, to) {
  for (const a of [...from.attributes]) if (!to.hasAttribute(a.name)) from.removeAttribute(a.name);
  for (const a of [...to.attributes]) if (from.getAttribute(a.name) !== a.value) from.setAttribute(a.name, a.value);
  const now = [...from.childNodes];
  const next = [...to.childNodes];
  next.forEach((child, i) => {
    const old = now[i];
    if (!old) {
      from.appendChild(child);
    } else if (old.nodeType !== child.nodeType || old.nodeName !== child.nodeName) {
      from.replaceChild(child, old);
    } else if (old.nodeType === Node.ELEMENT_NODE) {
      morph(old, child);
    } else if (old.nodeValue !== child.nodeValue) {
      old.nodeValue = child.nodeValue;
    }
  });
  now.slice(next.length).forEach((n) => n.remove());
}

function render(id, html) {
  const section = $(id);
  const template = document.createElement(section.tagName.toLowerCase());
  template.innerHTML = html;
  for (const a of section.attributes) template.setAttribute(a.name, a.value);
  morph(section, template);
}

// ---------- the API ----------

function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

class ApiError extends Error {
  constructor(status, body, message) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

async function call(method, path, body) {
  const headers = {'Accept': 'application/json'};
  if (token()) headers['Authorization'] = 'Bearer ' + token();
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(API + path, {method, headers, cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body)});
  } catch (e) {
    throw new ApiError(0, null, 'cannot reach the admin API (' + e.message + ')');
  }
  let json = null;
  try {
    json = await response.json();
  } catch (e) {
    // not JSON: described below
  }
  if (!response.ok) {
    const message = json && json.error ? json.error : `HTTP ${response.status} ${response.statusText}`;
    throw new ApiError(response.status, json, message + (json && json.field ? ` (field ${json.field})` : ''));
  }
  if (json === null) throw new ApiError(response.status, null, 'the admin API answered without JSON');
  return json;
}

// ---------- rates from counter deltas ----------

function sample(key, requests, errors, at) {
  const before = state.previous.get(key);
  state.previous.set(key, {requests, errors, at});
  if (!before || requests === null || requests < before.requests || errors < before.errors) return null;
  const seconds = (at - before.at) / 1000;
  if (seconds <= 0) return null;
  const dr = requests - before.requests;
  const de = (errors ?? 0) - (before.errors ?? 0);
  return {rps: dr / seconds, eps: de / seconds, errorPercent: dr > 0 ? 100 * de / dr : (de > 0 ? 100 : 0)};
}

function computeRates(pools, at) {
  const rates = new Map();
  const perNode = new Map();
  for (const pool of list(pools.pools)) {
    for (const b of list(pool.backends)) {
      const requests = isObject(b.requests) ? num(b.requests.total) : null;
      rates.set(pool.name + '/' + b.id, sample('b:' + pool.name + '/' + b.id, requests, num(b.errors) ?? 0, at));
      const nodes = isObject(b.requests) && isObject(b.requests.perNode) ? b.requests.perNode : {};
      for (const [node, n] of Object.entries(nodes)) perNode.set(node, (perNode.get(node) ?? 0) + (num(n) ?? 0));
    }
    const totals = isObject(pool.totals) ? pool.totals : {};
    rates.set('pool:' + pool.name, sample('p:' + pool.name, num(totals.requests), num(totals.errors) ?? 0, at));
  }
  for (const [node, requests] of perNode) rates.set('node:' + node, sample('n:' + node, requests, 0, at));
  const poolRates = list(pools.pools).map((p) => rates.get('pool:' + p.name)).filter((r) => r);
  const total = poolRates.length === 0 ? null : poolRates.reduce((sum, r) => ({rps: sum.rps + r.rps,
    eps: sum.eps + r.eps}), {rps: 0, eps: 0});
  if (total) total.errorPercent = total.rps > 0 ? 100 * total.eps / total.rps : 0;
  rates.set('total', total);
  state.rates = rates;
  if (total) {
    state.history.push({at: Date.now(), rps: total.rps, eps: total.eps});
    state.history = state.history.filter((h) => h.at > Date.now() - CHART_MILLIS);
  }
}

// Admitted and refused per second per rule, refusals per second per reason.
function computeLimitRates(limits, at) {
  if (!limits) return;
  for (const r of list(limits.rules)) {
    const total = (v) => (isObject(v) ? num(v.total) : null);
    state.rates.set('rule:' + r.listener + '/' + r.rule,
      sample('r:' + r.listener + '/' + r.rule, total(r.admitted), total(r.refused) ?? 0, at));
  }
  for (const x of list(limits.refusals)) {
    state.rates.set('refusal:' + x.reason, sample('x:' + x.reason, num(x.total), 0, at));
  }
}

// ---------- sections ----------

function connectionsPerNode(pools) {
  const perNode = new Map();
  for (const pool of list(pools && pools.pools)) {
    for (const b of list(pool.backends)) {
      const nodes = isObject(b.connections) && isObject(b.connections.perNode) ? b.connections.perNode : {};
      for (const [node, n] of Object.entries(nodes)) perNode.set(node, (perNode.get(node) ?? 0) + (num(n) ?? 0));
    }
  }
  return perNode;
}

function renderSummary(c) {
  if (!c) return;
  const quorum = c.quorum === true ? badge('quorum', 'up') : c.quorum === false ? badge('no quorum', 'down') : '';
  render('summary', `<span class="cluster-name">${esc(c.cluster ?? 'cluster')}</span>
    <span>answered by <b>${esc(c.node ?? '?')}</b></span>
    <span>coordinator <b>${esc(c.coordinator ?? '?')}</b></span>
    <span>${quorum} <span class="muted">min ${esc(c.minMembers ?? '?')}</span></span>
    <span>state version <b>${esc(c.stateVersion ?? '?')}</b></span>`);
}

function renderOverview(c, p) {
  const members = list(c && c.members);
  const configured = members.length + list(c && c.down).length;
  const backends = list(p && p.pools).flatMap((pool) => list(pool.backends));
  const up = backends.filter((b) => b.health && b.health.verdict === 'up').length;
  const connections = list(p && p.pools).reduce((sum, pool) => sum + (num(pool.totals && pool.totals.connections)
    ?? 0), 0);
  const total = state.rates.get('total');
  const card = (label, value, kind, id) => `<div class="card ${kind || ''}" id="${id}"><div class="card-label">${label}`
    + `</div><div class="card-value">${value}</div></div>`;
  render('overview', `<div class="cards">
      ${card('Nodes up', `${members.filter((m) => m.state === 'up').length} / ${configured}`,
        configured > members.length ? 'warn' : 'good', 'kpi-nodes')}
      ${card('Backends up', `${up} / ${backends.length}`, up < backends.length ? 'warn' : 'good', 'kpi-backends')}
      ${card('Connections', count(connections), '', 'kpi-connections')}
      ${card('Requests/s', rate(total && total.rps), '', 'kpi-rps')}
      ${card('Errors', total ? `${rate(total.eps)}/s <small>(${percent(total.errorPercent)})</small>` : dash,
        total && total.eps > 0 ? 'bad' : '', 'kpi-errors')}
    </div>${chart()}`);
}

function chart() {
  const width = 640;
  const height = 120;
  const points = state.history;
  const max = Math.max(1, ...points.map((h) => h.rps));
  const now = Date.now();
  const x = (at) => (width * (1 - (now - at) / CHART_MILLIS)).toFixed(1);
  const y = (v) => (height - 4 - (height - 8) * v / max).toFixed(1);
  const line = (key) => points.map((h) => `${x(h.at)},${y(h[key])}`).join(' ');
  const area = points.length < 2 ? '' : `<polygon class="rps-area" points="${x(points[0].at)},${height} ${line('rps')}`
    + ` ${x(points[points.length - 1].at)},${height}"/>`;
  return `<figure class="chart"><figcaption>Requests/s <span class="legend rps">■ requests</span>
      <span class="legend eps">■ errors</span> <span class="muted">last 5 minutes, peak ${rate(max)}/s</span></figcaption>
    <svg id="rate-chart" viewBox="0 0 ${width} ${height}" preserveAspectRatio="none" role="img"
      aria-label="Request rate over the last five minutes"><title>Request and error rate, last 5 minutes</title>
      <line class="gridline" x1="0" x2="${width}" y1="${y(max / 2)}" y2="${y(max / 2)}"/>
      <line class="gridline" x1="0" x2="${width}" y1="${y(max)}" y2="${y(max)}"/>
      ${area}<polyline class="rps-line" points="${line('rps')}"/><polyline class="eps-line" points="${line('eps')}"/>
    </svg><div class="axis"><span>−5 min</span><span>now</span></div></figure>`;
}

function renderNodes(c, p) {
  if (!c) return;
  const unavailable = new Set([...list(c.unavailable), ...list(p && p.unavailable)]);
  const connections = connectionsPerNode(p);
  const rows = list(c.members).map((m) => {
    const r = state.rates.get('node:' + m.id);
    const behind = num(m.appliedVersion) !== null && num(c.stateVersion) !== null && m.appliedVersion < c.stateVersion;
    return `<tr data-node="${esc(m.id)}">
      <th scope="row">${esc(m.id)}${m.id === c.node ? ' <span class="muted" title="answered this page">(this)</span>' : ''}</th>
      <td>${m.role === 'coordinator' ? badge('coordinator', 'coordinator') : esc(m.role ?? '')}</td>
      <td>${badge(m.state, m.state === 'up' ? 'up' : 'pending')}${unavailable.has(m.id) ? ' ' + badge('no answer', 'down')
        : ''}</td>
      <td class="num">${duration(m.uptimeMillis)}</td>
      <td class="num ${num(m.lastHeartbeatAgeMillis) > 3000 ? 'warn-text' : ''}">${duration(m.lastHeartbeatAgeMillis)}</td>
      <td class="num ${behind ? 'warn-text' : ''}" title="${behind ? 'behind the cluster state version' : ''}">`
        + `${esc(m.appliedVersion ?? '–')}</td>
      <td class="num">${count(connections.get(m.id) ?? null)}</td>
      <td class="num">${rate(r && r.rps)}</td>
      <td>${esc(m.version ?? '')}</td>
      <td class="addr">${esc(m.admin ?? '')}</td></tr>`;
  });
  for (const id of list(c.down)) {
    rows.push(`<tr data-node="${esc(id)}" class="down-row"><th scope="row">${esc(id)}</th><td></td>
      <td>${badge('down')}</td><td class="num">${dash}</td><td class="num">${dash}</td><td class="num">${dash}</td>
      <td class="num">${dash}</td><td class="num">${dash}</td><td></td><td></td></tr>`);
  }
  const total = [...connections.values()].reduce((a, b) => a + b, 0);
  const totalRate = state.rates.get('total');
  render('nodes', `<h2 id="nodes-title">Nodes</h2>
    <table class="grid"><thead><tr><th>Node</th><th>Role</th><th>State</th><th class="num">Uptime</th>
      <th class="num">Heartbeat</th><th class="num">Applied</th><th class="num">Conns</th><th class="num">Req/s</th>
      <th>Version</th><th>Admin</th></tr></thead>
    <tbody>${rows.join('')}</tbody>
    <tfoot><tr><th scope="row">Total</th><td colspan="5"></td><td class="num">${count(total)}</td>
      <td class="num">${rate(totalRate && totalRate.rps)}</td><td colspan="2"></td></tr></tfoot></table>`);
}

function renderVips(c) {
  if (!c) return;
  const vips = list(c.vips);
  const table = vips.length === 0 ? '<p class="empty">No virtual IPs configured.</p>'
    : `<table class="grid"><thead><tr><th>VIP</th><th>Interface</th><th>Group</th><th>Mode</th><th>Holder</th>
      <th>Since</th></tr></thead><tbody>${vips.map((v) => `<tr data-vip="${esc(v.address)}">
        <th scope="row" class="addr">${esc(v.address ?? '')}</th><td>${esc(v.interface ?? '')}</td>
        <td>${esc(v.group ?? '')}</td><td>${esc(v.mode ?? '')}</td>
        <td>${v.holder ? `<b>${esc(v.holder)}</b>` : badge('none', 'down')}</td><td>${ago(v.since)}</td></tr>`
        + (v.error ? `<tr class="error-row"><td colspan="6">${badge('error', 'down')} ${esc(v.error)}</td></tr>` : ''))
        .join('')}</tbody></table>`;
  const moves = list(c.vipMoves).slice(-5).reverse();
  render('vips', `<h2 id="vips-title">Virtual IPs</h2>${table}${moves.length === 0 ? ''
    : `<h3>Recent moves</h3><ul class="moves">${moves.map((m) => `<li>${ago(m.at)}: <span class="addr">`
      + `${esc(m.vip ?? '')}</span> ${esc(m.from ?? '–')} → <b>${esc(m.to ?? '–')}</b> <span class="muted">`
      + `${esc(m.reason ?? '')}</span></li>`).join('')}</ul>`}`);
}

function healthCell(h) {
  if (!isObject(h)) return dash;
  const ejected = isObject(h.passiveEjected) ? Object.entries(h.passiveEjected).filter(([, v]) => v).map(([n]) => n)
    : [];
  return `${badge(h.verdict, h.verdict)} <span class="muted">${h.publishedBy ? 'by ' + esc(h.publishedBy) : ''}</span>
    ${h.since ? `<div class="sub">${ago(h.since)}</div>` : ''}
    ${list(h.suspects).length ? `<div class="sub warn-text">suspected by ${esc(list(h.suspects).join(', '))}</div>` : ''}
    ${ejected.length ? `<div class="sub bad-text">ejected on ${esc(ejected.join(', '))}</div>` : ''}`;
}

function checksCell(h) {
  const checks = isObject(h) ? list(h.checks) : [];
  if (checks.length === 0) return dash;
  return checks.map((c) => `<div class="check ${c.ok ? 'ok' : 'fail'}" title="${esc(c.at ?? '')}">`
    + `<span aria-hidden="true">${c.ok ? '✓' : '✗'}</span> ${esc(c.node ?? '?')}: ${esc(c.detail ?? (c.ok ? 'ok'
      : 'failed'))}${num(c.latencyMicros) !== null ? ` <span class="muted">${decimal.format(c.latencyMicros / 1000)} ms`
      + '</span>' : ''} <span class="muted">${c.at ? ago(c.at) : ''}</span></div>`).join('');
}

function perNodeSmall(perNode) {
  if (!isObject(perNode) || Object.keys(perNode).length === 0) return '';
  return `<div class="sub">${Object.entries(perNode).map(([n, v]) => `${esc(n)} ${count(v)}`).join(' · ')}</div>`;
}

function actions(pool, b) {
  const admin = b.adminState;
  const button = (action, label, enabled) => `<button type="button" data-action="${action}" data-pool="${esc(pool)}"`
    + ` data-backend="${esc(b.id)}" ${enabled ? '' : 'disabled'}>${label}</button>`;
  return button('drain', 'Drain', admin !== 'draining') + ' ' + button('enable', 'Enable', admin !== 'enabled');
}

function renderPool(pool) {
  const backends = list(pool.backends);
  const extraKeys = [...new Set(backends.flatMap((b) => unknownKeys(b, KNOWN_BACKEND)))];
  const totals = isObject(pool.totals) ? pool.totals : {};
  const r = state.rates.get('pool:' + pool.name);
  const rows = backends.map((b) => {
    const br = state.rates.get(pool.name + '/' + b.id);
    const lat = isObject(b.latencyMillis) ? b.latencyMillis : {};
    const conns = isObject(b.connections) ? b.connections : {};
    const reqs = isObject(b.requests) ? b.requests : {};
    return `<tr data-backend="${esc(pool.name + '/' + b.id)}" class="health-${esc(b.health && b.health.verdict)}">
      <th scope="row">${esc(b.id)}${b.source === 'runtime' ? ' <span class="tag" title="added at runtime">runtime</span>'
        : ''}</th>
      <td class="addr">${esc(b.address ?? '')}</td>
      <td class="health">${healthCell(b.health)}</td>
      <td class="checks">${checksCell(b.health)}</td>
      <td class="admin-state">${badge(b.adminState, b.adminState)}</td>
      <td class="num">${esc(b.weight ?? '')}${num(b.maxConnections) ? `<div class="sub">max ${count(b.maxConnections)}</div>`
        : ''}</td>
      <td class="num">${count(conns.total)}${perNodeSmall(conns.perNode)}</td>
      <td class="num">${rate(br && br.rps)}<div class="sub">${count(reqs.total)} total</div></td>
      <td class="num ${br && br.eps > 0 ? 'bad-text' : ''}">${percent(br && br.errorPercent)}<div class="sub">`
        + `${count(b.errors)} total</div></td>
      <td class="num">${num(lat.p50) === null ? dash : decimal.format(lat.p50)} / ${num(lat.p99) === null ? dash
        : decimal.format(lat.p99)}</td>
      ${extraKeys.map((k) => `<td>${generic(b[k], 2)}</td>`).join('')}
      <td class="actions">${actions(pool.name, b)}</td></tr>`;
  });
  const extras = unknownKeys(pool, KNOWN_POOL).map((k) => `<div class="extra"><h4>${esc(humanize(k))}</h4>`
    + `${generic(pool[k], 1)}</div>`).join('');
  const incomplete = [...new Set(backends.flatMap((b) => list(b.unavailable)))];
  return `<article class="pool" data-pool="${esc(pool.name)}">
    <header class="pool-head"><h3>${esc(pool.name)}</h3>
      <span class="tag">${esc(pool.algorithm ?? '?')}</span>
      ${pool.persistence ? `<span class="tag">${esc(pool.persistence)}</span>` : ''}
      <span class="pool-totals">${count(totals.connections)} conns · ${rate(r && r.rps)} req/s ·
        <span class="${r && r.eps > 0 ? 'bad-text' : ''}">${percent(r && r.errorPercent)} errors</span> ·
        ${count(totals.requests)} requests, ${count(totals.errors)} errors in all</span>
      ${incomplete.length ? `<span class="badge pending">no counters from ${esc(incomplete.join(', '))}</span>` : ''}
    </header>
    <table class="grid backends"><thead><tr><th>Backend</th><th>Address</th><th>Health</th><th>Checks</th>
      <th>Admin</th><th class="num">Weight</th><th class="num">Conns</th><th class="num">Req/s</th>
      <th class="num">Errors</th><th class="num">p50 / p99 ms</th>${extraKeys.map((k) => `<th>${esc(humanize(k))}</th>`)
        .join('')}<th>Actions</th></tr></thead>
    <tbody>${rows.join('')}</tbody></table>${extras}</article>`;
}

function renderPools(p) {
  if (!p) return;
  const pools = list(p.pools);
  render('pools', `<h2 id="pools-title">Pools</h2>${pools.length === 0 ? '<p class="empty">No pools.</p>'
    : pools.map(renderPool).join('')}`);
}

function perNodeText(perNode, format = (v) => count(v)) {
  if (!isObject(perNode)) return '';
  return Object.entries(perNode).map(([n, v]) => `${esc(n)} ${format(v)}`).join(' · ');
}

function renderLimits(l) {
  const section = $('limits');
  section.hidden = !l;
  if (!l) return;
  const rules = list(l.rules).map((r) => {
    const rr = state.rates.get('rule:' + r.listener + '/' + r.rule);
    const refusedNow = rr && rr.eps > 0;
    return `<tr data-rule="${esc(r.listener + '/' + r.rule)}"><th scope="row">${esc(r.listener)} / ${esc(r.rule)}</th>
      <td>${esc(r.key ?? '')}</td><td class="num">${count(r.rate)} / ${duration(r.periodMillis)}, burst ${count(r.burst)}</td>
      <td class="num">${count(r.keysTracked && r.keysTracked.total)}</td>
      <td class="num admitted-rate">${rate(rr && rr.rps)}</td>
      <td class="num refused-rate ${refusedNow ? 'warn-text' : ''}">${rate(rr && rr.eps)}</td>
      <td class="num">${count(r.refused && r.refused.total)}</td></tr>`;
  });
  const pools = list(l.pools);
  const open = pools.filter((p) => isObject(p.circuitBreaker) && list(p.circuitBreaker.open).length > 0);
  const breakers = open.length === 0 ? '<p class="empty" id="breakers-none">No circuit breaker open.</p>'
    : `<ul class="breakers">${open.map((p) => `<li data-breaker="${esc(p.pool)}">${badge('open', 'down')} `
      + `<b>${esc(p.pool)}</b> on ${list(p.circuitBreaker.open).map((n) => {
        const s = (p.circuitBreaker.perNode ?? {})[n] ?? {};
        return `${esc(n)} <span class="muted">(${esc(s.state ?? 'open')}, ${ago(s.since)})</span>`;
      }).join(', ')} · ${count(p.circuitBreaker.refusals && p.circuitBreaker.refusals.total)} refused</li>`)
      .join('')}</ul>`;
  const warming = pools.flatMap((p) => list(p.slowStart && p.slowStart.backends).map((b) => [p.pool, b]));
  const slow = warming.length === 0 ? '<p class="empty" id="slow-none">No slow start in progress.</p>'
    : `<ul class="slow-starts">${warming.map(([pool, b]) => `<li data-slow="${esc(pool + '/' + b.backend)}">`
      + `<b>${esc(pool)} / ${esc(b.backend)}</b>: ${perNodeText(b.perNode, (v) => percent(100 * v))}</li>`).join('')}</ul>`;
  const refusals = list(l.refusals);
  const reasons = refusals.length === 0 ? '<p class="empty" id="refusals-none">Nothing refused.</p>'
    : `<table class="grid refusals"><thead><tr><th>Reason</th><th class="num">Total</th><th class="num">Per second</th>
      <th>Per node</th></tr></thead><tbody>${refusals.map((x) => {
        const xr = state.rates.get('refusal:' + x.reason);
        return `<tr data-reason="${esc(x.reason)}"><th scope="row">${esc(x.reason)}</th>
          <td class="num">${count(x.total)}</td><td class="num">${rate(xr && xr.rps)}</td>
          <td>${perNodeText(x.perNode)}</td></tr>`;
      }).join('')}</tbody></table>`;
  const clients = list(l.clients).filter((c) => list(c.top).length > 0).map((c) => `<li data-clients="${esc(c.listener)}">`
    + `<b>${esc(c.listener)}</b> (max ${num(c.maxConnectionsPerClient) ? count(c.maxConnectionsPerClient) : 'unlimited'}`
    + ` per client): ${list(c.top).slice(0, 5).map((t) => `<span class="addr">${esc(t.address)}</span> `
    + `${count(t.connections && t.connections.total)}`).join(', ')}</li>`);
  render('limits', `<h2 id="limits-title">Limits</h2>
    ${rules.length === 0 ? '<p class="empty" id="rules-none">No rate-limit rules.</p>'
      : `<table class="grid rules"><thead><tr><th>Rule</th><th>Key</th><th class="num">Limit</th>
        <th class="num">Keys</th><th class="num">Admitted/s</th><th class="num">Refused/s</th>
        <th class="num">Refused</th></tr></thead><tbody>${rules.join('')}</tbody></table>`}
    <div class="split"><div><h3>Circuit breakers</h3>${breakers}</div><div><h3>Slow start</h3>${slow}</div></div>
    <h3>Refusals by reason</h3>${reasons}
    ${clients.length === 0 ? '' : `<h3>Busiest clients</h3><ul class="clients">${clients.join('')}</ul>`}
    ${list(l.unavailable).length === 0 ? '' : `<p class="muted">No answer from ${esc(list(l.unavailable).join(', '))}.</p>`}`);
}

function totalOf(counter) {
  return isObject(counter) && num(counter.total) ? counter.total : 0;
}

function renderRoutes(r) {
  const section = $('routes');
  section.hidden = !r;
  if (!r) return;
  const rows = list(r.routes).map((x) => {
    const c = isObject(x.counts) ? x.counts : {};
    const to = list(x.split).length > 0
      ? 'split ' + list(x.split).map((t) => `${esc(t.pool)} ${count(t.weight)}`
        + (t.weight !== t.configuredWeight ? ` <span class="muted">(configured ${count(t.configuredWeight)})</span>` : ''))
        .join(' · ')
      : (x.pool ? esc(x.pool) : '<span class="muted">answers itself</span>');
    const mirror = isObject(x.mirror) ? ` + mirror to ${esc(x.mirror.pool)} (${count(x.mirror.percent)}%)` : '';
    const shares = isObject(c.split) ? Object.entries(c.split).map(([pool, v]) => `${esc(pool)} ${count(totalOf(v))}`)
      .join(' · ') : '';
    const match = isObject(x.match) ? Object.entries(x.match).map(([k, v]) => `${esc(k)} ${esc(Array.isArray(v)
      ? v.join(', ') : String(v))}`).join('; ') : '';
    const actions = list(x.actions).map((a) => `<li>${esc(a)}</li>`).join('');
    return `<tr data-route="${esc(x.listener + '/' + x.route)}"><th scope="row">${esc(x.listener)} / ${esc(x.route)}</th>
      <td>${match || '<span class="muted">everything else</span>'}</td><td>${to}${mirror}</td>
      <td>${actions ? `<ol class="actions">${actions}</ol>` : ''}</td>
      <td class="num">${count(totalOf(c.redirected))}</td><td class="num">${count(totalOf(c.denied))}</td>
      <td class="num">${count(totalOf(c.returned))}</td>
      <td class="num">${count(totalOf(c.mirrored))}${totalOf(c.mirrorFailed) > 0
        ? ` <span class="warn-text">(${count(totalOf(c.mirrorFailed))} failed)</span>` : ''}</td>
      <td>${shares}</td></tr>`;
  });
  render('routes', `<h2 id="routes-title">Routes</h2>
    ${rows.length === 0 ? '<p class="empty" id="routes-none">No HTTP routes.</p>'
      : `<table class="grid routes"><thead><tr><th>Route</th><th>Match</th><th>To</th><th>Actions</th>
        <th class="num">Redirected</th><th class="num">Denied</th><th class="num">Answered</th>
        <th class="num">Mirrored</th><th>Split shares</th></tr></thead><tbody>${rows.join('')}</tbody></table>`}
    ${list(r.unavailable).length === 0 ? '' : `<p class="muted">No answer from ${esc(list(r.unavailable).join(', '))}.</p>`}`);
}

function renderHttp3(h) {
  const section = $('http3');
  const listeners = h ? list(h.listeners) : [];
  section.hidden = listeners.length === 0;
  if (listeners.length === 0) return;
  const rows = listeners.map((x) => {
    const t = isObject(x.total) ? x.total : {};
    const nodes = isObject(x.nodes) ? Object.entries(x.nodes).map(([id, f]) => `${esc(id)} ${count(f.open)}`)
      .join(' · ') : '';
    return `<tr data-listener="${esc(x.listener)}"><th scope="row">${esc(x.listener)}</th>
      <td class="num">${count(x.udpPort)}</td><td class="num">${count(t.open)}</td><td>${nodes}</td>
      <td class="num">${count(t.handshaking)}</td><td class="num">${count(t.streams)}</td>
      <td class="num">${count(t.refused)}</td><td class="num">${count(t.retries)}</td>
      <td class="num">${count(t.relayedToOwner)} / ${count(t.relayedFromOwner)}</td>
      <td class="num">${count(t.statelessResets)}</td></tr>`;
  });
  render('http3', `<h2 id="http3-title">HTTP/3</h2>
    <table class="grid http3"><thead><tr><th>Listener</th><th class="num">UDP port</th><th class="num">Connections</th>
      <th>Per node</th><th class="num">In handshake</th><th class="num">Requests</th><th class="num">Refused</th>
      <th class="num">Retries</th><th class="num">Relayed to / from owner</th><th class="num">Resets</th></tr></thead>
      <tbody>${rows.join('')}</tbody></table>
    ${list(h.unavailable).length === 0 ? '' : `<p class="muted">No answer from ${esc(list(h.unavailable).join(', '))}.</p>`}`);
}

function renderDiscovery(d) {
  const section = $('discovery');
  const entries = d ? list(d.entries) : [];
  section.hidden = entries.length === 0;
  if (entries.length === 0) return;
  const kinds = {ok: 'up', empty: 'pending', failed: 'down', pending: 'pending'};
  const rows = entries.map((e) => {
    const backends = list(e.backends).map((b) => b.leaving
      ? `<span class="warn-text" title="draining until ${esc(b.removedAt)}">${esc(b.id)} leaving</span>`
      : `${esc(b.id)}${b.priority > 0 ? ` <span class="muted">p${count(b.priority)}</span>` : ''}`).join(' · ');
    return `<tr data-entry="${esc(e.pool)}/${esc(e.key)}"><th scope="row">${esc(e.pool)}</th><td>${esc(e.key)}</td>
      <td>${badge(e.status, kinds[e.status])}${e.error ? ` <span class="muted">${esc(e.error)}</span>` : ''}</td>
      <td>${backends || '<span class="muted">none yet</span>'}</td><td class="num">${count(e.version)}</td>
      <td>${esc(e.resolver || '-')}</td><td>${e.lastSuccess ? ago(e.lastSuccess) : dash}</td></tr>`;
  });
  render('discovery', `<h2 id="discovery-title">Backends from DNS</h2>
    <table class="grid discovery"><thead><tr><th>Pool</th><th>Name</th><th>Status</th><th>Backends</th>
      <th class="num">Version</th><th>Resolved by</th><th>Last success</th></tr></thead>
      <tbody>${rows.join('')}</tbody></table>
    ${list(d.unavailable).length === 0 ? '' : `<p class="muted">No answer from ${esc(list(d.unavailable).join(', '))}.</p>`}`);
}

function renderExtra(c, p) {
  const sections = [...unknownKeys(c, KNOWN_CLUSTER).map((k) => [k, c[k]]),
    ...unknownKeys(p, KNOWN_POOLS).map((k) => [k, p[k]])];
  render('extra', sections.map(([k, v]) => `<section class="extra" data-key="${esc(k)}"><h2>${esc(humanize(k))}</h2>`
    + `${generic(v)}</section>`).join(''));
}

function renderStatus() {
  const status = $('status');
  if (state.failure) {
    status.className = 'status bad';
    status.textContent = `${state.failure}${state.lastOk ? ' · last data ' + state.lastOk.toLocaleTimeString() : ''}`;
    document.body.classList.toggle('stale', state.lastOk !== null);
  } else if (state.lastOk) {
    status.className = 'status good';
    status.textContent = 'live · updated ' + state.lastOk.toLocaleTimeString();
    document.body.classList.remove('stale');
  }
  $('token-button').textContent = token() ? 'Forget token' : 'Set token';
}

function renderAll() {
  renderSummary(state.cluster);
  renderOverview(state.cluster, state.pools);
  renderNodes(state.cluster, state.pools);
  renderVips(state.cluster);
  renderPools(state.pools);
  renderLimits(state.limits);
  renderRoutes(state.routes);
  renderHttp3(state.http3);
  renderDiscovery(state.discovery);
  renderExtra(state.cluster, state.pools);
  renderStatus();
}

// ---------- polling ----------

let pollTimer = null;
let asked = false;

async function poll() {
  clearTimeout(pollTimer);
  try {
    // A node without /limits (or failing it) still shows everything else; the limits panel is hidden then.
    const [cluster, pools, limits, routes, http3, discovery] = await Promise.all([call('GET', '/cluster'),
      call('GET', '/pools'), call('GET', '/limits').catch(() => null), call('GET', '/routes').catch(() => null),
      call('GET', '/http3').catch(() => null), call('GET', '/discovery').catch(() => null)]);
    const at = performance.now();
    computeRates(pools, at);
    computeLimitRates(limits, at);
    state.cluster = cluster;
    state.pools = pools;
    state.limits = limits;
    state.routes = routes;
    state.http3 = http3;
    state.discovery = discovery;
    state.lastOk = new Date();
    state.failure = null;
  } catch (e) {
    state.failure = e.status === 401 ? 'reading needs the admin token: ' + e.message : e.message;
    if (e.status === 401 && !asked) {
      asked = true;
      askToken('Reading this cluster needs the admin token (' + e.message + ').').then(poll, () => {});
    }
  }
  try {
    renderAll();
  } catch (e) {
    state.failure = 'cannot show the answer: ' + e.message;
    renderStatus();
  }
  pollTimer = setTimeout(poll, POLL_MILLIS);
}

// ---------- token and actions ----------

let pendingToken = null;

function askToken(reason) {
  $('token-reason').textContent = reason;
  $('token-input').value = '';
  $('token-dialog').hidden = false;
  $('token-input').focus();
  return new Promise((resolve, reject) => {
    pendingToken = {resolve, reject};
  });
}

function closeTokenDialog(value) {
  $('token-dialog').hidden = true;
  const pending = pendingToken;
  pendingToken = null;
  if (!pending) return;
  if (value) {
    sessionStorage.setItem(TOKEN_KEY, value);
    renderStatus();
    pending.resolve(value);
  } else {
    pending.reject(new Error('cancelled'));
  }
}

let messageTimer = null;

function showMessage(text, kind) {
  clearTimeout(messageTimer);
  $('message-text').textContent = text;
  $('message').className = 'message ' + kind;
  $('message').hidden = false;
  if (kind === 'ok') messageTimer = setTimeout(() => { $('message').hidden = true; }, 10000);
}

async function act(action, pool, backend) {
  if (!token()) {
    try {
      await askToken(`${humanize(action)} ${pool}/${backend}: changes need the admin token. It is kept in this browser`
        + ' tab only (session storage).');
    } catch (e) {
      return;
    }
  }
  const path = `/pools/${encodeURIComponent(pool)}/backends/${encodeURIComponent(backend)}/${action}`;
  try {
    const answer = await call('POST', path);
    showMessage(`${pool}/${backend}: ${answer.adminState ?? action} (version ${answer.version ?? '?'}, applied on `
      + `${list(answer.applied).join(', ') || 'no node'})`, 'ok');
  } catch (e) {
    if (e.status === 401) sessionStorage.removeItem(TOKEN_KEY);
    const pending = e.status === 504 && e.body ? ` — pending on ${list(e.body.pending).join(', ')}` : '';
    showMessage(`${humanize(action)} ${pool}/${backend} failed: ${e.message}${pending}`
      + (e.status ? ` (HTTP ${e.status})` : '') + (e.status === 401 ? '. The token was forgotten; try again.' : ''),
    'error');
  }
  poll();
}

document.addEventListener('click', (event) => {
  const button = event.target.closest('button[data-action]');
  if (button && !button.disabled) act(button.dataset.action, button.dataset.pool, button.dataset.backend);
});

$('token-form').addEventListener('submit', (event) => {
  event.preventDefault();
  closeTokenDialog($('token-input').value.trim());
});
$('token-cancel').addEventListener('click', () => closeTokenDialog(null));
document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape' && !$('token-dialog').hidden) closeTokenDialog(null);
});
$('message-close').addEventListener('click', () => { $('message').hidden = true; });
$('token-button').addEventListener('click', () => {
  if (token()) {
    sessionStorage.removeItem(TOKEN_KEY);
    renderStatus();
  } else {
    askToken('The admin token is kept in this browser tab only (session storage).').then(poll, () => {});
  }
});

poll();
