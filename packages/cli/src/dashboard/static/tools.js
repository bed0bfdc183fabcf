// The service as declared (routes and their access, the API explorer, schedules with "run now") and
// the dev token minter.
import { badge, el, fill, heading, post, showError, table, time } from './dom.js';

function access(route) {
  const parts = [badge(route.access, `access-${route.access}`)];
  if (route.roles) parts.push(' roles: ', route.roles.join(' | '));
  if (route.scopes) parts.push(' scopes: ', route.scopes.join(' + '));
  return parts;
}

function traits(route) {
  return [
    route.rateLimited ? badge('rate limited', 'trait') : undefined,
    route.idempotent ? badge('idempotent', 'trait') : undefined,
    route.cors ? badge('CORS', 'trait') : undefined,
  ];
}

/** Every route with who may call it. */
export async function routesPanel(section, overview) {
  fill(
    section,
    ...heading(
      'Routes',
      `${overview.routes.length} routes of ${overview.service}, served at ${overview.url}`,
    ),
    overview.hasApp
      ? undefined
      : el(
          'p',
          { class: 'error' },
          'The entry exports no app: export it (export const app = createApp(...)) to list its routes.',
        ),
    table(
      ['Method', 'Route', 'Access', ''],
      overview.routes,
      (r) => [
        badge(r.method, 'method'),
        el('code', {}, r.pattern),
        el('td', {}, access(r)),
        el('td', {}, traits(r)),
      ],
      'No routes.',
    ),
  );
}

/** Swagger UI in a frame of its own, so its styles and the dashboard's stay apart. */
export async function explorerPanel(section, overview) {
  if (section.querySelector('iframe') !== null) return;
  fill(
    section,
    ...heading(
      'API explorer',
      overview.openapi
        ? 'The OpenAPI document of the service (/_lift/openapi.json); "Try it out" calls the dev server.'
        : undefined,
    ),
    el('iframe', { src: '/_lift/assets/explorer.html', title: 'API explorer', class: 'explorer' }),
  );
}

/** The declared schedules, each with "run now". */
export async function schedulesPanel(section, overview) {
  const results = new Map();
  const render = (schedules) =>
    table(
      ['Schedule', 'Expression', 'Next', 'Last run', ''],
      schedules,
      (s) => [
        el('strong', {}, s.name),
        el('code', {}, `${s.expression}${s.timezone === 'UTC' ? '' : ` ${s.timezone}`}`),
        s.next === undefined
          ? el('span', { class: 'dim' }, s.problem ?? 'not scheduled')
          : new Date(s.next).toLocaleString(),
        el('span', { class: 'result', 'data-schedule': s.name }, results.get(s.name) ?? ''),
        el(
          'button',
          { type: 'button', 'data-run': s.name, onclick: (event) => void run(s.name, event.target) },
          'Run now',
        ),
      ],
      'The service declares no schedules (or lift dev runs with schedules off).',
    );
  const run = async (name, button) => {
    button.disabled = true;
    const cell = section.querySelector(`[data-schedule="${CSS.escape(name)}"]`);
    try {
      const r = await post(`schedules/${encodeURIComponent(name)}/run`);
      results.set(name, `${r.ok ? 'ok' : 'failed'} at ${time(Date.now())}`);
    } catch (error) {
      results.set(name, `failed at ${time(Date.now())}: ${error.message}`);
    }
    cell.textContent = results.get(name);
    cell.className = `result ${results.get(name).startsWith('ok') ? 'ok' : 'bad'}`;
    button.disabled = false;
  };
  fill(
    section,
    ...heading('Schedules', 'Run one now instead of waiting; its log lines show under Requests.'),
    render(overview.schedules),
  );
}

/** A form minting a development token, as `lift token` does. */
export async function tokenPanel(section) {
  if (section.childElementCount > 0) return;
  const field = (label, name, placeholder, value = '') =>
    el('label', {}, label, el('input', { name, placeholder, value }));
  const output = el('div', { class: 'token-output' });
  const form = el(
    'form',
    {
      class: 'stacked',
      onsubmit: async (event) => {
        event.preventDefault();
        const data = new FormData(form);
        const list = (name) =>
          String(data.get(name) ?? '')
            .split(',')
            .map((s) => s.trim())
            .filter((s) => s !== '');
        try {
          const r = await post('token', {
            sub: String(data.get('sub')),
            ...(data.get('tenant') ? { tenant: String(data.get('tenant')) } : {}),
            roles: list('roles'),
            scopes: list('scopes'),
            ...(data.get('audience') ? { audience: String(data.get('audience')) } : {}),
          });
          const copy = el(
            'button',
            { type: 'button', onclick: () => void navigator.clipboard?.writeText(r.token) },
            'Copy',
          );
          fill(
            output,
            el('p', {}, `Expires ${new Date(r.expiresAt).toLocaleString()}. `, copy),
            el('textarea', { readonly: true, rows: 5, id: 'token-value' }, r.token),
            el('p', { class: 'note' }, 'Send it as authorization: Bearer <token>.'),
          );
        } catch (error) {
          showError(output, error);
        }
      },
    },
    field('User (sub)', 'sub', 'user-1', 'dev-user'),
    field('Tenant', 'tenant', 'tenant-a', 'tenant-a'),
    field('Roles (comma separated)', 'roles', 'admin, editor'),
    field('Scopes (comma separated)', 'scopes', 'notes:read'),
    field('Audience', 'audience', 'lift-dev (default)'),
    el('button', { type: 'submit' }, 'Mint token'),
  );
  fill(
    section,
    ...heading(
      'Dev token',
      'Signed by the development issuer lift dev serves; valid for this service under lift dev only.',
    ),
    form,
    output,
  );
}
