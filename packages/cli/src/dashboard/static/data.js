// Read-only views of local data: the declared tables (scan, or query by key, a page at a time), the
// mail the stand-ins sent and the outboxes (pushes and whatever the service's dev setup adds).
import { api, el, fill, heading, showError, table, time } from './dom.js';

function value(v) {
  if (v === null || v === undefined) return el('span', { class: 'dim' }, 'null');
  if (typeof v === 'object') return el('code', { class: 'json' }, JSON.stringify(v));
  return String(v);
}

function itemsTable(items) {
  const columns = [...new Set(items.flatMap((item) => Object.keys(item)))];
  return table(columns, items, (item) => columns.map((c) => value(item[c])), 'No items.');
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
        itemsTable(page.items),
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

/** The mailbox, and every outbox. */
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
    el(
      'article',
      { class: 'card', id: 'mailbox' },
      el('h3', {}, 'Mailbox'),
      table(
        ['Time', 'To', 'Subject', 'Text'],
        mail,
        (m) => [time(m.at), m.to, m.subject, el('pre', {}, m.text)],
        'No mail yet.',
      ),
    ),
    ...outboxes.map((o) =>
      el(
        'article',
        { class: 'card', 'data-outbox': o.name },
        el('h3', {}, o.title),
        table(
          ['To', 'Message', 'Detail'],
          o.messages,
          (m) => [
            el('code', {}, m.to),
            m.summary,
            el('code', { class: 'json' }, JSON.stringify(m.detail ?? null)),
          ],
          'Nothing yet.',
        ),
      ),
    ),
  );
}
