// The live request log: each request (and schedule firing) as it starts and ends, over Server-Sent
// Events; a click shows the lines its code wrote and the error of a 5xx.
import { api, badge, el, fill, heading, showError, time } from './dom.js';

const seen = new Map();
let stream;
let section;
let selected;

function statusBadge(status) {
  if (status === undefined) return badge('…', 'status-running');
  if (status === 0) return badge('gone', 'status-5xx');
  return badge(String(status), `status-${Math.floor(status / 100)}xx`);
}

function row(r) {
  return el(
    'tr',
    { class: r.id === selected ? 'selected' : undefined, 'data-id': r.id, onclick: () => void open(r.id) },
    el('td', { class: 'mono' }, time(r.startedAt)),
    el(
      'td',
      {},
      r.kind === 'schedule'
        ? badge(r.trigger === 'timer' ? 'timer' : 'run now', `kind-schedule trigger-${r.trigger}`)
        : badge(r.method, 'method'),
    ),
    el('td', { class: 'mono' }, r.route ?? r.path),
    el('td', {}, statusBadge(r.status)),
    el('td', { class: 'num' }, r.durationMs === undefined ? '' : `${r.durationMs} ms`),
    el('td', {}, r.userId ?? '—'),
    el('td', {}, r.tenantId ?? '—'),
  );
}

function render() {
  if (section === undefined) return;
  const rows = [...seen.values()].sort((a, b) => b.id - a.id);
  const list =
    rows.length === 0
      ? el('p', { class: 'empty' }, 'No requests yet: call the service and they appear here.')
      : el(
          'table',
          { id: 'request-log' },
          el(
            'thead',
            {},
            el(
              'tr',
              {},
              ['Time', 'Method / firing', 'Route', 'Status', 'Duration', 'Principal', 'Tenant'].map((h) =>
                el('th', {}, h),
              ),
            ),
          ),
          el('tbody', {}, rows.map(row)),
        );
  section.querySelector('.log-list').replaceChildren(list);
}

// Keys every JSON line repeats: shown when the line is expanded, not in the one-line view.
const FIXED = new Set([
  'level',
  'message',
  'timestamp',
  'service',
  'cold_start',
  'function_arn',
  'function_memory_size',
  'function_name',
  'function_request_id',
  'sampling_rate',
  'trace_id',
  'xray_trace_id',
  'request_id',
]);

/** A field in one line: an error by its message (its stack is a click away), other values as JSON. */
function brief(value) {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null && typeof value.message === 'string')
    return `${value.name ?? 'Error'}: ${value.message}`;
  return JSON.stringify(value);
}

/** A JSON log line as level, message and its own fields (click for the whole line); others as written. */
function logLine(line) {
  let json;
  try {
    json = line.text.startsWith('{') ? JSON.parse(line.text) : undefined;
  } catch {
    json = undefined;
  }
  const cls = `level-${(line.level ?? line.stream).toLowerCase()}`;
  const stamp = el('span', { class: 'mono dim' }, time(line.at));
  if (json === undefined || typeof json.message !== 'string')
    return el('li', { class: cls }, stamp, ' ', el('code', {}, line.text));
  const own = Object.entries(json).filter(([key]) => !FIXED.has(key));
  const whole = el('code', { class: 'whole', hidden: true }, JSON.stringify(json, null, 2));
  const toggle = () => {
    whole.hidden = !whole.hidden;
  };
  return el(
    'li',
    { class: cls, title: 'click for the whole line', onclick: toggle },
    stamp,
    ' ',
    el('strong', { class: 'lvl' }, json.level ?? ''),
    ' ',
    el('code', {}, json.message),
    ' ',
    el('code', { class: 'dim' }, own.map(([k, v]) => `${k}=${brief(v)}`).join(' ')),
    whole,
  );
}

async function open(id) {
  selected = id;
  render();
  const detail = section.querySelector('.log-detail');
  try {
    const r = await api(`requests/${id}`);
    fill(
      detail,
      el(
        'h3',
        {},
        r.kind === 'schedule'
          ? `schedule ${r.path}, fired by ${r.trigger === 'http' ? 'POST /_lift/schedules' : r.trigger}`
          : `${r.method} ${r.path}`,
        ' ',
        statusBadge(r.status),
      ),
      r.error === undefined ? undefined : el('pre', { class: 'error-block' }, r.error),
      r.lines.length === 0
        ? el('p', { class: 'empty' }, 'It wrote no log lines.')
        : el('ol', { class: 'lines' }, r.lines.map(logLine)),
    );
  } catch (error) {
    showError(detail, error);
  }
}

/** Renders the log, and starts listening the first time. */
export async function requestsPanel(target) {
  section = target;
  if (target.childElementCount === 0) {
    target.append(
      ...heading(
        'Requests',
        'Live: method, route, status, duration, principal and tenant; click one for its log lines. Schedule firings (timer or run now) are kept apart, the latest 50, so they never push requests out.',
      ),
      el('div', { class: 'log-list' }),
      el('div', { class: 'log-detail' }),
    );
  }
  for (const r of await api('requests')) seen.set(r.id, r);
  render();
  if (stream === undefined) {
    stream = new EventSource('/_lift/api/stream');
    stream.addEventListener('request', (event) => {
      const r = JSON.parse(event.data);
      seen.set(r.id, r);
      render();
    });
  }
}
