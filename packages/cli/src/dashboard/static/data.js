// Read-only views of local data: the declared tables (scan, or query by key, a page at a time), the
// mail the stand-ins sent and the outboxes (pushes and whatever the service's dev setup adds).
import { api, el, fill, heading, showError, table, time } from './dom.js';

// Stored null (a NULL attribute) and no attribute at all are different things in DynamoDB.
function value(v) {
  if (v === null) return el('code', { class: 'null', title: 'stored null' }, 'null');
  if (typeof v === 'object') return el('code', { class: 'json' }, JSON.stringify(v));
  return String(v);
}

const ABSENT = () => el('span', { class: 'absent', title: 'no such attribute in this item' }, '—');

/** Up to this many other attributes get a column each; more (a table mixing item kinds) are compacted. */
const MAX_COLUMNS = 6;

function brief(v) {
  const text = v === null ? 'null' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}

/** Other attributes as `name=value` on one line; a click shows the whole item as JSON. */
function compact(item, keys) {
  const rest = Object.entries(item).filter(([k]) => !keys.includes(k));
  const whole = el('pre', { class: 'whole', hidden: true }, JSON.stringify(item, null, 2));
  return el(
    'td',
    {
      class: 'attributes',
      title: 'click for the whole item',
      onclick: () => {
        whole.hidden = !whole.hidden;
      },
    },
    rest.length === 0
      ? el('span', { class: 'dim' }, 'no other attributes')
      : rest.flatMap(([k, v], i) => [
          i === 0 ? '' : ' · ',
          el('span', { class: 'attr' }, `${k}=`),
          v === null ? value(v) : brief(v),
        ]),
    whole,
  );
}

/** Key attributes first; the others as columns when few, else compacted per item. */
function itemsTable(items, t) {
  const keys = [t.partitionKey.name, ...(t.sortKey === undefined ? [] : [t.sortKey.name])];
  const others = [...new Set(items.flatMap((item) => Object.keys(item)))].filter((k) => !keys.includes(k));
  const cell = (item, k) => (Object.hasOwn(item, k) ? value(item[k]) : ABSENT());
  if (others.length <= MAX_COLUMNS)
    return table(
      [...keys, ...others],
      items,
      (item) => [...keys, ...others].map((k) => cell(item, k)),
      'No items.',
    );
  return table(
    [...keys, `Other attributes (${others.length} names across these items)`],
    items,
    (item) => [...keys.map((k) => el('td', { class: 'key' }, cell(item, k))), compact(item, keys)],
    'No items.',
  );
}

function browser(t) {
  const pk = el('input', { name: 'pk', placeholder: `${t.partitionKey.name} (${t.partitionKey.type})` });
  const sk =
    t.sortKey === undefined
      ? undefined
      : el('input', { name: 'sk', placeholder: `${t.sortKey.name} begins with` });
  const results = el('div', { class: 'results' });
  let cursor;
  const load = async (more) => {
    const params = new URLSearchParams();
    if (pk.value !== '') params.set('pk', pk.value);
    if (sk !== undefined && sk.value !== '') params.set('sk', sk.value);
    if (more && cursor !== undefined) params.set('cursor', cursor);
    try {
      const page = await api(`tables/${encodeURIComponent(t.name)}/items?${params}`);
      cursor = page.cursor;
      fill(
        results,
        itemsTable(page.items, t),
        cursor === undefined
          ? undefined
          : el('button', { type: 'button', onclick: () => void load(true) }, 'Next page'),
      );
    } catch (error) {
      showError(results, error);
    }
  };
  const form = el(
    'form',
    {
      class: 'inline',
      onsubmit: (event) => {
        event.preventDefault();
        void load(false);
      },
    },
    pk,
    sk,
    el('button', { type: 'submit' }, pk.value === '' ? 'Scan / query' : 'Query'),
  );
  void load(false);
  return el('article', { class: 'card', 'data-table': t.name }, el('h3', {}, t.name), form, results);
}

/** The declared tables, each with its browser. */
export async function tablesPanel(section, overview) {
  fill(
    section,
    ...heading(
      'Tables',
      'The declared tables in the local DynamoDB, read-only. Leave the key empty to scan.',
    ),
    overview.tables.length === 0 ? el('p', { class: 'empty' }, 'The service declares no tables.') : undefined,
    ...overview.tables.map(browser),
  );
}

/** A card, or one line when there is nothing in it. */
function card(attributes, title, items, render) {
  if (items.length === 0) return el('p', { class: 'empty', ...attributes }, `${title}: nothing yet.`);
  return el('article', { class: 'card', ...attributes }, el('h3', {}, title), render(items));
}

/** The mailbox, and every outbox; the empty ones as a line each. */
export async function mailPanel(section, overview) {
  const mail = await api('mail');
  const outboxes = await Promise.all(
    overview.outboxes.map(async (o) => ({
      ...o,
      messages: await api(`outboxes/${encodeURIComponent(o.name)}`),
    })),
  );
  fill(
    section,
    ...heading('Mail & outboxes', 'What the local stand-ins would have sent, newest first.'),
    mail.length === 0 && overview.userPools === 0
      ? el(
          'p',
          { class: 'empty', id: 'mailbox' },
          'Mailbox: nothing yet (the service declares no user pool, which is what sends mail).',
        )
      : card({ id: 'mailbox' }, 'Mailbox', mail, (items) =>
          table(['Time', 'To', 'Subject', 'Text'], items, (m) => [
            time(m.at),
            m.to,
            m.subject,
            el('pre', {}, m.text),
          ]),
        ),
    ...outboxes.map((o) =>
      card({ 'data-outbox': o.name }, o.title, o.messages, (items) =>
        table(['To', 'Message', 'Detail'], items, (m) => [
          el('code', {}, m.to),
          m.summary,
          m.detail === undefined || m.detail === null
            ? ''
            : el('code', { class: 'json' }, JSON.stringify(m.detail)),
        ]),
      ),
    ),
  );
}
