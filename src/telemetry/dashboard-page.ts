import { createHash } from 'node:crypto';

// The page is one static document: no framework, no external request, no templating of data
// into HTML (everything dynamic arrives as JSON over the event stream and is set as text).

const STYLE = `
:root{--bg:#f6f7f9;--card:#fff;--ink:#1c2430;--mute:#6b7685;--line:#e3e7ec;--ok:#2f9e59;--warn:#d08a11;--stop:#d23c3c;--idle:#9aa5b1;--alloc:#4a7bd0;--spent:#33425a}
*{box-sizing:border-box}body{margin:0;font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;background:var(--bg);color:var(--ink)}
header{display:flex;align-items:baseline;gap:16px;padding:14px 20px;background:var(--spent);color:#fff}
header h1{font-size:17px;margin:0;font-weight:600}header .sub{color:#c9d3e0;font-size:12px}
#conn{margin-left:auto;font-size:12px;padding:2px 8px;border-radius:10px;background:#56657d}#conn.live{background:var(--ok)}#conn.down{background:var(--stop)}
main{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:14px;padding:14px 20px}
section{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px 14px;min-width:0}
section.wide{grid-column:1/-1}h2{font-size:13px;text-transform:uppercase;letter-spacing:.04em;color:var(--mute);margin:0 0 10px}
.kpis{display:flex;flex-wrap:wrap;gap:22px}.kpi b{display:block;font-size:20px;font-weight:600}.kpi span{color:var(--mute);font-size:12px}
table{width:100%;border-collapse:collapse}th,td{text-align:left;padding:5px 6px;border-bottom:1px solid var(--line);white-space:nowrap}
th{font-size:12px;color:var(--mute);font-weight:500}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.bar{position:relative;height:12px;min-width:160px;background:#edf0f4;border-radius:6px;overflow:hidden}
.bar .fill,.bar .resv,.bar .seg{position:absolute;top:0;bottom:0}.bar .fill{left:0;background:var(--ok)}.bar .resv{background:repeating-linear-gradient(45deg,#9fb6dc,#9fb6dc 3px,#c7d5ec 3px,#c7d5ec 6px)}
tr[data-state=warned] .fill,.fill.warn{background:var(--warn)}tr[data-state=stopped] .fill,.fill.over{background:var(--stop)}tr[data-state=waiting] .fill{background:var(--idle)}
.pool .seg.spent{background:var(--spent)}.pool .seg.alloc{background:var(--alloc)}.pool{height:16px;margin-top:10px}h2.gap{margin-top:16px}
.state{display:inline-block;padding:1px 7px;border-radius:9px;font-size:12px;background:#e9edf2}
.state.active{background:#dcf2e4;color:#1f6e3e}.state.warned{background:#fbecd0;color:#8a5a05}.state.stopped,.state.killed{background:#f8dada;color:#9a2323}.state.waiting{background:#e9edf2;color:#56657d}
ol#signals{list-style:none;margin:0;padding:0;max-height:320px;overflow:auto;font-size:13px}
ol#signals li{display:grid;grid-template-columns:70px 86px 1fr;gap:8px;padding:4px 2px;border-bottom:1px solid var(--line)}
.sig{font-weight:600}.sig.SIGWARN{color:var(--warn)}.sig.SIGSTOP,.sig.SIGKILL{color:var(--stop)}.sig.SIGRESUME{color:var(--ok)}
.mute{color:var(--mute)}.empty{color:var(--mute);font-style:italic;padding:6px 2px}
`;

const SCRIPT = `
(function () {
  'use strict';
  var params = new URLSearchParams(location.search);
  var token = params.get('token');
  if (token !== null) {
    params.delete('token');
    var rest = params.toString();
    history.replaceState(null, '', location.pathname + (rest ? '?' + rest : ''));
  }
  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = String(text);
    return e;
  }
  function num(x) { return Math.round(x).toLocaleString('en-US'); }
  function usd(x) { return '$' + (x !== 0 && Math.abs(x) < 0.01 ? x.toFixed(6) : x.toFixed(4)); }
  function pct(r) { return Math.floor(r * 100) + '%'; }
  function clamp(r) { return Math.max(0, Math.min(1, r)); }
  function ratio(used, total) { return total > 0 ? used / total : used > 0 ? 1 : 0; }
  function clock(t) { return new Date(t).toISOString().slice(11, 19); }
  function cell(row, text, cls) { var td = el('td', cls, text); row.appendChild(td); return td; }
  function bar(used, reserved, total) {
    var b = el('div', 'bar');
    var r = ratio(used, total);
    var fill = el('div', 'fill' + (r >= 1 ? ' over' : ''));
    fill.style.width = (clamp(r) * 100).toFixed(1) + '%';
    fill.setAttribute('data-pct', String(Math.floor(r * 100)));
    var resv = el('div', 'resv');
    resv.style.left = fill.style.width;
    resv.style.width = (clamp(ratio(reserved, total)) * 100).toFixed(1) + '%';
    b.appendChild(fill);
    b.appendChild(resv);
    return b;
  }
  function kpi(label, value) {
    var d = el('div', 'kpi');
    d.appendChild(el('b', '', value));
    d.appendChild(el('span', '', label));
    return d;
  }
  function empty(body, cols, text) {
    var tr = el('tr');
    var td = el('td', 'empty', text);
    td.colSpan = cols;
    tr.appendChild(td);
    body.replaceChildren(tr);
  }
  function renderPool(s) {
    var p = s.pool;
    var used = p.allocated + p.spent;
    var pool = $('pool-bar');
    var spent = el('div', 'seg spent');
    spent.style.left = '0';
    spent.style.width = (clamp(ratio(p.spent, p.total)) * 100).toFixed(1) + '%';
    var alloc = el('div', 'seg alloc');
    alloc.style.left = spent.style.width;
    alloc.style.width = (clamp(ratio(p.allocated, p.total)) * 100).toFixed(1) + '%';
    pool.replaceChildren(spent, alloc);
    pool.setAttribute('data-pct', String(Math.floor(ratio(used, p.total) * 100)));
    var agents = Object.keys(s.agents).length;
    $('kpis').replaceChildren(
      kpi('pool utilization', pct(ratio(used, p.total))),
      kpi('tokens allocated / spent / free', num(p.allocated) + ' / ' + num(p.spent) + ' / ' + num(p.available)),
      kpi('spend', usd(s.costNano / 1e9)),
      kpi('cache hits · saved', num(s.cache.hits) + ' · ' + usd(s.cache.savedUsd)),
      kpi('agents · waiting', agents + ' · ' + s.waiting.length),
      kpi('overshoot', num(p.overshoot))
    );
  }
  function renderAgents(s) {
    var body = $('agents');
    var ids = Object.keys(s.agents);
    if (ids.length === 0) return empty(body, 6, 'no live agents');
    var rows = ids.map(function (id) {
      var a = s.agents[id];
      var tr = el('tr');
      tr.setAttribute('data-agent', id);
      tr.setAttribute('data-state', a.state);
      cell(tr, id);
      var st = cell(tr, '');
      st.appendChild(el('span', 'state ' + a.state, a.state + (a.downgraded ? ' ↓' : '')));
      if (a.stopCauses.length) st.title = a.stopCauses.join(', ');
      cell(tr, a.priority, 'mute');
      cell(tr, '').appendChild(bar(a.used, a.reserved, a.total));
      cell(tr, pct(ratio(a.used, a.total)) + '  ' + num(a.used) + ' / ' + num(a.total), 'num');
      cell(tr, a.task || (a.parent ? 'child of ' + a.parent : ''), 'mute');
      return tr;
    });
    body.replaceChildren.apply(body, rows);
  }
  function renderSignals(s) {
    var list = $('signals');
    if (s.signals.length === 0) {
      list.replaceChildren(el('li', 'empty', 'no signals yet'));
      return;
    }
    var items = s.signals.slice().reverse().map(function (g) {
      var li = el('li');
      li.setAttribute('data-signal', g.signal);
      li.setAttribute('data-agent', g.agentId);
      li.appendChild(el('span', 'mute', clock(g.time)));
      li.appendChild(el('span', 'sig ' + g.signal, g.signal));
      li.appendChild(el('span', '', g.agentId + ': ' + g.reason));
      return li;
    });
    list.replaceChildren.apply(list, items);
  }
  function renderModels(s) {
    var body = $('models');
    if (s.spendByModel.length === 0) return empty(body, 6, 'no calls yet');
    body.replaceChildren.apply(body, s.spendByModel.map(function (m) {
      var tr = el('tr');
      tr.setAttribute('data-model', m.key);
      cell(tr, m.key);
      cell(tr, num(m.calls), 'num');
      cell(tr, num(m.inputTokens), 'num');
      cell(tr, num(m.outputTokens), 'num');
      cell(tr, usd(m.costNano / 1e9), 'num');
      cell(tr, num(m.cachedCalls) + ' · ' + usd(m.savedNano / 1e9), 'num');
      return tr;
    }));
  }
  function renderLimits(s) {
    var body = $('limits');
    if (s.limits.length === 0) return empty(body, 3, 'no limits beyond the agent windows');
    body.replaceChildren.apply(body, s.limits.map(function (l) {
      var tr = el('tr');
      cell(tr, l.name + (l.hard ? '' : ' (soft)'));
      cell(tr, '').appendChild(bar(l.used, l.reserved, l.limit));
      cell(tr, pct(l.utilization) + '  ' + (l.unit === 'usd' ? usd(l.used) + ' / ' + usd(l.limit) : num(l.used) + ' / ' + num(l.limit)), 'num');
      return tr;
    }));
  }
  function render(s) {
    $('time').textContent = 'kernel time ' + new Date(s.time).toISOString().replace('T', ' ').slice(0, 19) + ' UTC';
    renderPool(s);
    renderAgents(s);
    renderSignals(s);
    renderModels(s);
    renderLimits(s);
    document.body.setAttribute('data-records', String(s.records));
  }
  var conn = $('conn');
  var source = new EventSource('events' + (token ? '?token=' + encodeURIComponent(token) : ''));
  source.addEventListener('snapshot', function (e) {
    conn.textContent = 'live';
    conn.className = 'live';
    render(JSON.parse(e.data));
  });
  source.onerror = function () {
    conn.textContent = source.readyState === EventSource.CLOSED ? 'disconnected' : 'reconnecting…';
    conn.className = 'down';
  };
})();
`;

const BODY = `<header><h1>token-kernel</h1><span class="sub">live dashboard</span><span class="sub" id="time"></span><span id="conn">connecting…</span></header>
<main>
<section class="wide"><h2>Pool</h2><div class="kpis" id="kpis"></div><div class="bar pool" id="pool-bar"></div></section>
<section class="wide"><h2>Agents</h2><table><thead><tr><th>agent</th><th>state</th><th>priority</th><th>window</th><th class="num">used</th><th>task</th></tr></thead><tbody id="agents"></tbody></table></section>
<section><h2>Signal log</h2><ol id="signals"></ol></section>
<section><h2>Spend by model</h2><table><thead><tr><th>model</th><th class="num">calls</th><th class="num">input</th><th class="num">output</th><th class="num">cost</th><th class="num">cache hits · saved</th></tr></thead><tbody id="models"></tbody></table>
<h2 class="gap">Limits</h2><table><tbody id="limits"></tbody></table></section>
</main>`;

function sha256(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/** The dashboard page: one self-contained HTML document (inline CSS and JS, no external request). */
export const DASHBOARD_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="no-referrer"><title>token-kernel dashboard</title><link rel="icon" href="data:,">
<style>${STYLE}</style></head>
<body>${BODY}<script>${SCRIPT}</script></body></html>
`;

/**
 * The page's Content-Security-Policy: only its own inline script and style (allowed by hash) and
 * connections back to the same origin; no frames, forms or other sources.
 */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  `script-src ${sha256(SCRIPT)}`,
  `style-src ${sha256(STYLE)}`,
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
