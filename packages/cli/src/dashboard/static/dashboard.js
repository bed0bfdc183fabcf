// The dev dashboard: one panel per tab, each loaded when first shown and refreshed when shown again.

import { mailPanel, tablesPanel } from './data.js';
import { api, el, showError } from './dom.js';
import { requestsPanel } from './requests.js';
import { explorerPanel, routesPanel, schedulesPanel, tokenPanel } from './tools.js';

const panels = {
  routes: routesPanel,
  requests: requestsPanel,
  explorer: explorerPanel,
  tables: tablesPanel,
  mail: mailPanel,
  schedules: schedulesPanel,
  token: tokenPanel,
};

let overview;

async function show(name) {
  for (const button of document.querySelectorAll('#tabs button')) {
    if (button.dataset.panel === name) button.setAttribute('aria-current', 'page');
    else button.removeAttribute('aria-current');
  }
  for (const [key] of Object.entries(panels)) {
    document.getElementById(`panel-${key}`).hidden = key !== name;
  }
  const section = document.getElementById(`panel-${name}`);
  try {
    overview = await api('overview');
    document.getElementById('service').textContent = overview.worker
      ? `· ${overview.service} (worker)`
      : overview.hasApp
        ? `· ${overview.service}`
        : `· ${overview.service} (no app exported)`;
    await panels[name](section, overview);
  } catch (error) {
    showError(section, error);
  }
  if (location.hash !== `#${name}`) history.replaceState(null, '', `#${name}`);
}

document.getElementById('tabs').addEventListener('click', (event) => {
  const name = event.target.closest('button')?.dataset.panel;
  if (name !== undefined) void show(name);
});

const first = location.hash.slice(1);
void show(first in panels ? first : 'routes');

// A marker the browser test (and a curious developer) can read: the page's script ran to here.
document.body.append(el('span', { id: 'ready', hidden: true }));
