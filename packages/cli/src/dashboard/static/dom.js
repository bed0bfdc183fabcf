// Small DOM helpers. Everything rendered goes through textContent: item values, log lines and mail
// are untrusted, and none of them is ever parsed as HTML.

/**
 * Makes an element: `el('td', { class: 'x' }, 'text', child)`. Attributes are set as attributes, `on*`
 * keys as listeners; children are nodes or strings (strings become text nodes).
 */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** A table with a header row and one row per item; `cells(item)` gives the row's cells. */
export function table(headers, items, cells, empty = 'Nothing yet.') {
  if (items.length === 0) return el('p', { class: 'empty' }, empty);
  return el(
    'table',
    {},
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        headers.map((h) => el('th', {}, h)),
      ),
    ),
    el(
      'tbody',
      {},
      items.map((item) =>
        el(
          'tr',
          {},
          cells(item).map((c) => (c instanceof Node && c.tagName === 'TD' ? c : el('td', {}, c))),
        ),
      ),
    ),
  );
}

/** JSON from a dashboard endpoint; a failure throws with the server's message. */
export async function api(path, init) {
  const res = await fetch(`/_lift/api/${path}`, init);
  const body = await res.json();
  if (!res.ok) throw new Error(body.message ?? `${res.status}`);
  return body;
}

/** POSTs JSON (the dashboard's changes all take a JSON body: no cross-origin form can send one). */
export function post(path, body = {}) {
  return api(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/** A panel's heading and the line under it. */
export function heading(title, note) {
  return [el('h2', {}, title), note === undefined ? undefined : el('p', { class: 'note' }, note)];
}

/** A badge: `access-public`, `status-5xx`... */
export function badge(text, kind) {
  return el('span', { class: `badge ${kind}` }, text);
}

/** Local time of day with ms, for logs. */
export function time(ms) {
  const d = new Date(ms);
  return `${d.toLocaleTimeString([], { hour12: false })}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

/** An error line in a panel, replacing whatever `where` held. */
export function showError(where, error) {
  where.replaceChildren(el('p', { class: 'error' }, error.message ?? String(error)));
}

/** Replaces what `target` holds with `children`, skipping the undefined ones (optional parts). */
export function fill(target, ...children) {
  target.replaceChildren(...children.flat().filter((c) => c !== undefined && c !== null));
}
