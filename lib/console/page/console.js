// The console page: one EventSource on /events, plain DOM, uPlot for the charts (served by the service
// from its npm package). No framework and no build: this file is served as it is.
import uPlot from '/vendor/uPlot.esm.js';

const OUTPUT_TYPES = ['hourly_sales', 'customer_stats', 'fraud_alert'];
const DEAD_LETTER_REASONS = ['too_large', 'not_json', 'invalid', 'late', 'too_far_ahead'];
const COLORS = ['#58a6ff', '#3fb950', '#f85149', '#d29922', '#bc8cff', '#39c5cf'];
/** With no word from the service for this long, the page says so, even if the stream looks open. */
const SILENCE_MS = 5_000;

/** What the page knows: the last snapshot, kept up to date by the events. Bounded like the server's. */
const state = {
  status: null,
  throughput: [],
  hourly: [],
  top: null,
  alerts: [],
  limits: { throughputSeconds: 900, hourlyWindows: 48, alerts: 100, topCustomers: 10 },
  connected: false,
  disconnectedSince: null,
  lastHeard: 0,
};

// ---- formatting --------------------------------------------------------------------------------

const $ = (selector) => document.querySelector(selector);
const utc = (ms) => (Number.isFinite(ms) ? `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC` : '—');
const windowLabel = (start) => start.replace('T', ' ').slice(0, 16);
const wallClock = (ms) => new Date(ms).toLocaleTimeString('en-GB', { hour12: false });
const money = (n) => `$${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const count = (n) => (n === null || n === undefined ? '—' : n.toLocaleString('en-US'));
const windowSeconds = (start) => Date.parse(`${start}Z`) / 1_000;
/** How far event time trails the wall clock; a watermark ahead of it (a far-future order) says so. */
const behind = (at, watermark) => (watermark === null ? '—' : watermark > at ? `${duration(watermark - at)} ahead` : duration(at - watermark));
const hhmmss = (seconds) => new Date(seconds * 1_000).toLocaleTimeString('en-GB', { hour12: false });
const utcDayHour = (seconds) => new Date(seconds * 1_000).toISOString().slice(5, 16).replace('T', ' ');

/** A duration for people: "4 s", "3 min 20 s", "5 h 2 min", "912 d 4 h". */
function duration(ms) {
  if (!Number.isFinite(ms)) return '—';
  const s = Math.max(0, Math.round(ms / 1_000));
  if (s < 60) return `${s} s`;
  if (s < 3_600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  if (s < 86_400) return `${Math.floor(s / 3_600)} h ${Math.floor((s % 3_600) / 60)} min`;
  return `${Math.floor(s / 86_400)} d ${Math.floor((s % 86_400) / 3_600)} h`;
}

/** An element with attributes and children (strings become text, never HTML). */
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') node.className = v;
    else node.setAttribute(k, String(v));
  }
  node.append(...children.map((c) => (c instanceof Node ? c : String(c))));
  return node;
}

const row = (cells, attrs = {}) => el('tr', attrs, ...cells.map((c) => el('td', {}, c)));
const yesNo = (b) => el('span', { class: b ? 'yes' : 'no' }, b ? 'yes' : 'no');

// ---- charts ------------------------------------------------------------------------------------

/** The throughput charts' x axis: the wall clock, at least the last two minutes wide. */
const clockAxis = {
  scales: { x: { time: true, range: (_u, min, max) => [Math.min(min ?? max - 120, max - 120), max] } },
  axes: [
    { stroke: '#8b95a5', grid: { stroke: '#2c3441' }, values: (_u, ticks) => ticks.map(hhmmss) },
    { stroke: '#8b95a5', grid: { stroke: '#2c3441' }, size: 60 },
  ],
};

/** A uPlot chart that fills its container's width. */
function chart(container, series, extra = clockAxis) {
  const opts = {
    width: Math.max(200, container.clientWidth),
    height: 180,
    legend: { live: false },
    cursor: { drag: { x: false, y: false } },
    series: [{}, ...series.map((s, i) => ({ stroke: COLORS[i % COLORS.length], width: 2, points: { show: false }, ...s }))],
    axes: [
      { stroke: '#8b95a5', grid: { stroke: '#2c3441' } },
      { stroke: '#8b95a5', grid: { stroke: '#2c3441' }, size: 60 },
    ],
    ...extra,
  };
  const plot = new uPlot(opts, [[], ...series.map(() => [])], container);
  new ResizeObserver(() => plot.setSize({ width: Math.max(200, container.clientWidth), height: 180 })).observe(container);
  return plot;
}

const charts = {
  records: chart($('#chart-records'), [{ label: 'records/s', fill: 'rgba(88,166,255,0.15)' }]),
  results: chart($('#chart-results'), OUTPUT_TYPES.map((label) => ({ label }))),
  dead: chart($('#chart-dead'), DEAD_LETTER_REASONS.map((label) => ({ label }))),
  hourly: chart(
    $('#chart-hourly'),
    [
      { label: 'total sales ($)', scale: '$', points: { show: true, size: 7 }, value: (_u, v) => (v === null ? '—' : money(v)) },
      { label: 'orders', scale: 'n', points: { show: true, size: 7 } },
    ],
    {
      // Windows are event time, in UTC like the published messages.
      axes: [
        { stroke: '#8b95a5', grid: { stroke: '#2c3441' }, values: (_u, ticks) => ticks.map(utcDayHour), space: 80 },
        { scale: '$', stroke: '#58a6ff', grid: { stroke: '#2c3441' }, size: 70, values: (_u, ticks) => ticks.map((t) => `$${t.toLocaleString('en-US')}`) },
        { scale: 'n', side: 1, stroke: '#3fb950', grid: { show: false }, size: 50 },
      ],
    },
  ),
};

// ---- rendering ---------------------------------------------------------------------------------

function renderStatus() {
  const s = state.status;
  if (s === null) return;
  const pill = $('#state');
  pill.textContent = s.state;
  const trouble = s.state === 'failed' || s.broker?.reachable === false;
  pill.className = `pill ${trouble ? 'bad' : ['running', 'replaying', 'replayed'].includes(s.state) ? 'ok' : 'warn'}`;
  $('#source').textContent = s.source === 'replay' ? `replay of ${s.replay.file}` : `Kafka ${s.broker?.servers ?? ''}`;

  const facts = [
    ['state', s.state],
    ['uptime', duration(s.uptimeSeconds * 1_000)],
    ['processing guarantee', s.source === 'replay' ? 'replay (deterministic, no Kafka)' : s.processingGuarantee],
    ['restarts', s.restartAttempts === null ? String(s.restarts) : `${s.restarts} (at most ${s.restartAttempts})`],
    ['last error', s.lastError ?? 'none'],
    ['watermark', s.watermark === null ? '—' : `${utc(s.watermark)}, ${s.watermark > s.at ? `${duration(s.watermark - s.at)} ahead of` : `${duration(s.at - s.watermark)} behind`} the wall clock`],
    ['pending outputs', count(s.pendingOutputs)],
  ];
  if (s.broker) facts.push(['Kafka', s.broker.reachable === null ? 'checking…' : s.broker.reachable ? `reachable (${s.broker.servers})` : `unreachable since ${wallClock(s.broker.since)}`]);
  if (s.replay) facts.push(['records read', count(s.replay.records)]);
  $('#job').replaceChildren(...facts.flatMap(([k, v]) => [el('dt', {}, k), el('dd', { 'data-fact': k }, v)]));

  $('#partitions tbody').replaceChildren(
    ...(s.partitions.length === 0
      ? [el('tr', {}, el('td', { colspan: 7, class: 'empty' }, 'no partitions assigned to this instance yet'))]
      : s.partitions.map((p) =>
          row(
            [String(p.partition), count(p.offset), count(p.lag), utc(p.watermark ?? NaN), behind(s.at, p.watermark), yesNo(p.idle), p.paused ? `${count(p.held)}, reading paused` : count(p.held)],
            { 'data-partition': p.partition },
          ),
        )),
  );
  $('#task-count').textContent = String(s.tasks.length);
  const tasks = $('#tasks-section');
  tasks.hidden = s.tasks.length === 0;
  $('#tasks tbody').replaceChildren(
    ...s.tasks.map((t) => row([t.kind, el('span', { title: t.topic }, t.topic), String(t.partition), count(t.offset), yesNo(t.caughtUp), yesNo(t.settled), utc(t.watermark ?? NaN)])),
  );
  renderGroup(s);
  $('#updated').textContent = `updated ${wallClock(s.at)}`;
}

/** The task kind a topic of the group feeds: its internal topics are named after the group. */
const kindOfTopic = (topic) =>
  topic.endsWith('-orders-by-customer-repartition') ? 'customer' : topic.endsWith('-hourly-partials-repartition') ? 'combiner' : 'source';

/** Every instance of the group (each console asks the coordinator), this one marked by the tasks it runs. */
function renderGroup(s) {
  const section = $('#group-section');
  section.hidden = s.group === null;
  if (s.group === null) return;
  const { members, state, at, error } = s.group;
  $('#member-count').textContent = String(members.length);
  $('#group-state').textContent = [state ?? 'asking…', error !== null ? `last asked at ${at === null ? '—' : wallClock(at)}: ${error}` : ''].filter((t) => t !== '').join('; ');
  const mine = new Set(s.tasks.map((t) => `${t.topic}:${t.partition}`));
  const owned = (m, kind) =>
    Object.entries(m.partitions)
      .filter(([topic]) => kindOfTopic(topic) === kind)
      .flatMap(([, ps]) => ps)
      .join(', ') || '—';
  $('#members tbody').replaceChildren(
    ...(members.length === 0
      ? [el('tr', {}, el('td', { colspan: 6, class: 'empty' }, 'no member in the group'))]
      : members.map((m) => {
          const keys = Object.entries(m.partitions).flatMap(([topic, ps]) => ps.map((p) => `${topic}:${p}`));
          const isThis = keys.length > 0 && keys.length === mine.size && keys.every((k) => mine.has(k));
          return row(
            [el('span', { title: m.memberId }, `${m.clientId} …${m.memberId.slice(-6)}`), m.host, owned(m, 'source'), owned(m, 'customer'), owned(m, 'combiner'), isThis ? 'this instance' : ''],
            { 'data-member': m.memberId, ...(isThis ? { class: 'this-instance' } : {}) },
          );
        })),
  );
}

function renderBanners() {
  const s = state.status;
  const banners = [];
  if (!state.connected && state.disconnectedSince !== null) {
    banners.push(['bad', `Disconnected from the service since ${wallClock(state.disconnectedSince)}, retrying. The data below is the last received.`]);
  } else if (state.connected && state.lastHeard > 0 && Date.now() - state.lastHeard > SILENCE_MS) {
    banners.push(['warn', `No word from the service for ${duration(Date.now() - state.lastHeard)}.`]);
  }
  if (s !== null) {
    if (s.broker?.reachable === false) banners.push(['bad', `Kafka unreachable since ${wallClock(s.broker.since)} (${s.broker.error ?? s.broker.servers}), retrying.`]);
    if (s.state === 'failed') banners.push(['bad', `Failed: ${s.lastError ?? 'unknown error'}. The process exits; the data below is the last it had.`]);
    else if (s.state === 'restarting') {
      banners.push(['warn', s.restarts > 0 ? `Restarting (attempt ${s.restarts} of ${s.restartAttempts}) after: ${s.lastError}` : 'Restarting: the group is rebalancing.']);
    } else if (s.state === 'starting') banners.push(['info', 'Starting: reaching Kafka and joining the consumer group.']);
    else if (s.state === 'stopping') banners.push(['warn', 'Stopping: publishing what is out and committing.']);
    else if (s.state === 'replayed') banners.push(['info', `Replay of ${s.replay.file} finished: ${count(s.replay.records)} records. Serving until stopped (Ctrl-C).`]);
  }
  $('#banners').replaceChildren(...banners.map(([kind, text]) => el('div', { class: `banner-${kind}` }, text)));
}

function renderThroughput() {
  const t = state.throughput;
  const x = t.map((s) => s.at / 1_000);
  charts.records.setData([x, t.map((s) => s.recordsIn)]);
  charts.results.setData([x, ...OUTPUT_TYPES.map((type) => t.map((s) => s.outputs[type]))]);
  charts.dead.setData([x, ...DEAD_LETTER_REASONS.map((reason) => t.map((s) => s.deadLetters[reason]))]);
}

function renderHourly() {
  const h = state.hourly;
  charts.hourly.setData([h.map((w) => windowSeconds(w.window_start)), h.map((w) => w.total_sales), h.map((w) => w.order_count)]);
  $('#hourly-limit').textContent = String(state.limits.hourlyWindows);
  $('#hourly tbody').replaceChildren(
    ...(h.length === 0
      ? [el('tr', {}, el('td', { colspan: 4, class: 'empty' }, 'no hourly window closed yet'))]
      : [...h].reverse().map((w) =>
          row([windowLabel(w.window_start), count(w.order_count), money(w.total_sales), money(w.average_order_value)], {
            'data-window': w.window_start,
            'data-orders': w.order_count,
            'data-total': w.total_sales,
          }),
        )),
  );
}

function renderTop() {
  const top = state.top;
  $('#top-window').textContent = top ? `(window ${windowLabel(top.window_start)} to ${top.window_end.slice(11, 16)} UTC, the last closed)` : '';
  $('#top tbody').replaceChildren(
    ...(top === null || top.customers.length === 0
      ? [el('tr', {}, el('td', { colspan: 4, class: 'empty' }, 'no customer window closed yet'))]
      : top.customers.map((c, i) => row([String(i + 1), c.customer_id, count(c.orders), money(c.total_spent)], { 'data-customer': c.customer_id }))),
  );
}

function alertItem(a, fresh) {
  const what = a.rule === 'high_amount' ? money(a.amount) : `${count(a.order_count)} orders`;
  return el(
    'li',
    { class: fresh ? 'fresh' : '', 'data-order-id': a.order_id, 'data-rule': a.rule },
    el('span', { class: `rule ${a.rule}` }, a.rule),
    ` ${a.customer_id}, order ${a.order_id}, ${what}, at ${utc(a.timestamp)}: ${a.reason}`,
  );
}

function renderAlerts() {
  const list = $('#alerts');
  list.replaceChildren(...(state.alerts.length === 0 ? [el('li', { class: 'empty' }, 'no fraud alert yet')] : state.alerts.map((a) => alertItem(a, false))));
}

function addAlert(a) {
  state.alerts.unshift(a);
  state.alerts.length = Math.min(state.alerts.length, state.limits.alerts);
  const list = $('#alerts');
  list.querySelector('.empty')?.remove();
  list.prepend(alertItem(a, true));
  while (list.children.length > state.limits.alerts) list.lastElementChild.remove();
}

// ---- the stream --------------------------------------------------------------------------------

const handlers = {
  snapshot(d) {
    Object.assign(state, { status: d.status, throughput: d.throughput, hourly: d.hourlySales, top: d.topCustomers, alerts: d.alerts, limits: d.limits });
    renderStatus();
    renderThroughput();
    renderHourly();
    renderTop();
    renderAlerts();
  },
  status(d) {
    state.status = d;
    renderStatus();
  },
  throughput(d) {
    state.throughput.push(d);
    if (state.throughput.length > state.limits.throughputSeconds) state.throughput.shift();
    renderThroughput();
  },
  hourly_sales(d) {
    state.hourly = [...state.hourly.filter((w) => w.window_start !== d.window_start), d].sort((a, b) => (a.window_start < b.window_start ? -1 : 1));
    if (state.hourly.length > state.limits.hourlyWindows) state.hourly.shift();
    renderHourly();
  },
  top_customers(d) {
    state.top = d;
    renderTop();
  },
  fraud_alert(d) {
    addAlert(d);
  },
};

let source;
function connect() {
  source = new EventSource('/events');
  source.onopen = () => {
    state.connected = true;
    state.disconnectedSince = null;
    renderBanners();
  };
  source.onerror = () => {
    state.connected = false;
    state.disconnectedSince ??= Date.now();
    renderBanners();
    // EventSource retries by itself unless the answer was not an event stream; then start afresh.
    if (source.readyState === EventSource.CLOSED) setTimeout(connect, 2_000);
  };
  for (const [name, handle] of Object.entries(handlers)) {
    source.addEventListener(name, (e) => {
      state.lastHeard = Date.now();
      handle(JSON.parse(e.data));
      renderBanners();
    });
  }
}

connect();
// Silence is news too: look once a second.
setInterval(renderBanners, 1_000);

// For tests and for the curious (the browser's console): what the page holds and its charts.
window.streamConsole = { state, charts };
