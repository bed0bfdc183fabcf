// The service as declared (routes and their access, the API explorer, schedules with "run now") and
// the dev token minter.
import { api, badge, el, fill, heading, post, showError, table, time } from './dom.js';

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

/** What a worker's Routes view says instead of an empty table: where its work comes from. */
function workerNote(overview) {
  const schedules =
    overview.schedules.length === 0
      ? ''
      : ' Its schedules fire on their timers, from "Run now" in the Schedules view and from POST /_lift/schedules/NAME;';
  return el(
    'p',
    { class: 'note', id: 'worker' },
    `This service is a worker (createWorker): it serves no HTTP routes.${schedules}`,
    schedules === '' ? ' Send' : ' send',
    ' it records with ',
    el('code', {}, 'lift invoke --source sqs'),
    ' (or another record source).',
  );
}

/** Every route with who may call it; for a worker, why there are none. */
export async function routesPanel(section, overview) {
  if (overview.worker) {
    fill(section, ...heading('Routes'), workerNote(overview));
    return;
  }
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

const TRIGGERS = { timer: 'timer', http: 'POST /_lift/schedules', dashboard: 'dashboard' };

function lastRun(s) {
  if (s.last === undefined) return el('span', { class: 'dim', 'data-schedule': s.name }, 'not yet');
  const state = s.last.status === undefined ? 'running' : s.last.status === 200 ? 'ok' : 'failed';
  return el(
    'span',
    { class: `result ${state === 'failed' ? 'bad' : state}`, 'data-schedule': s.name },
    `${state} at ${time(Date.parse(s.last.at))} (${TRIGGERS[s.last.trigger] ?? s.last.trigger})`,
  );
}

let refresh;

/** The declared schedules with their last firing (timer, curl or here) and "run now". */
export async function schedulesPanel(section, overview) {
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
        lastRun(s),
        el(
          'button',
          { type: 'button', 'data-run': s.name, onclick: (event) => void run(s.name, event.target) },
          'Run now',
        ),
      ],
      'The service declares no schedules (or lift dev runs with schedules off).',
    );
  const show = (schedules) => {
    fill(
      section,
      ...heading(
        'Schedules',
        'Last run counts every firing: its timer, POST /_lift/schedules/NAME and "Run now". Log lines show under Requests.',
      ),
      render(schedules),
    );
    // Again once the soonest "Next" has passed (and its firing is done), while the panel is shown.
    clearTimeout(refresh);
    const soonest = Math.min(...schedules.filter((s) => s.next).map((s) => Date.parse(s.next)));
    const wait = Number.isFinite(soonest) ? Math.max(1_000, soonest - Date.now() + 1_500) : 30_000;
    refresh = setTimeout(
      () => {
        if (!section.hidden) void api('overview').then((o) => show(o.schedules));
      },
      Math.min(wait, 30_000),
    );
  };
  const run = async (name, button) => {
    button.disabled = true;
    let problem;
    try {
      await post(`schedules/${encodeURIComponent(name)}/run`);
    } catch (error) {
      problem = error;
    }
    // A failed firing answers 500 and shows as the last run; anything else is said in its cell.
    show((await api('overview')).schedules);
    if (problem !== undefined && problem.message !== '500') {
      const cell = section.querySelector(`[data-schedule="${CSS.escape(name)}"]`);
      cell.textContent = `failed at ${time(Date.now())}: ${problem.message}`;
      cell.className = 'result bad';
    }
  };
  show(overview.schedules);
}

function trustTable(plan) {
  if (plan.trusted === undefined) return undefined;
  return el(
    'div',
    { id: 'trusted' },
    el('h3', {}, 'Issuers the service trusts'),
    table(
      ['Issuer', 'Audience', 'Token use', 'Minting'],
      plan.trusted,
      (t) => [
        el('code', {}, t.issuer),
        t.audience === null
          ? el('span', { class: 'dim' }, 'any')
          : t.audience === undefined
            ? el('span', { class: 'dim' }, 'not described')
            : el('code', {}, t.audience.join(', ')),
        t.tokenUse ?? '',
        t.target === undefined
          ? el('span', { class: 'dim' }, t.why)
          : el('span', { class: 'ok' }, `yes (${plan.targets.find((x) => x.id === t.target)?.label})`),
      ],
      'No JWT issuers.',
    ),
  );
}

function tokenForm(plan, output) {
  const field = (label, name, placeholder, value = '') =>
    el('label', { 'data-field': name }, label, el('input', { name, placeholder, value }));
  const select = el(
    'select',
    { name: 'target' },
    plan.targets.map((t) => el('option', { value: t.id }, t.label)),
  );
  const aim = el('p', { class: 'note', id: 'minting-for' });
  const fields = {
    sub: field('User (sub)', 'sub', 'user-1', 'dev-user'),
    email: field('Email (the user pool username)', 'email', 'ada@example.com', 'dev-user@example.com'),
    tenant: field('Tenant', 'tenant', 'tenant-a', 'tenant-a'),
    roles: field('Roles (comma separated)', 'roles', 'admin, editor'),
    scopes: field('Scopes (comma separated)', 'scopes', 'notes:read'),
    audience: field('Audience', 'audience', ''),
  };
  const current = () => plan.targets.find((t) => t.id === select.value) ?? plan.targets[0];
  const aimAt = () => {
    const t = current();
    const pool = t.kind === 'user-pool';
    fields.email.hidden = !pool;
    fields.scopes.hidden = pool;
    fields.audience.hidden = pool;
    fields.sub.querySelector('input').placeholder = pool ? 'empty: a new user gets a random one' : 'user-1';
    if (pool && fields.sub.querySelector('input').value === 'dev-user')
      fields.sub.querySelector('input').value = '';
    fields.audience.querySelector('input').placeholder = `${t.audience} (what the service expects)`;
    aim.textContent = pool
      ? `Minting an ID token of ${t.issuer} for app client ${t.audience}, as a sign-in would; the user is created in the local pool if needed, roles become cognito:groups.`
      : `Minting from ${t.issuer} for audience ${t.audience}.`;
  };
  select.addEventListener('change', aimAt);
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
        const pool = current().kind === 'user-pool';
        try {
          const r = await post('token', {
            target: current().id,
            ...(data.get('sub') ? { sub: String(data.get('sub')) } : {}),
            ...(pool ? { email: String(data.get('email')) } : {}),
            ...(data.get('tenant') ? { tenant: String(data.get('tenant')) } : {}),
            roles: list('roles'),
            ...(pool ? {} : { scopes: list('scopes') }),
            ...(!pool && data.get('audience') ? { audience: String(data.get('audience')) } : {}),
          });
          const copy = el(
            'button',
            { type: 'button', onclick: () => void navigator.clipboard?.writeText(r.token) },
            'Copy',
          );
          const who =
            r.email === undefined ? r.sub : `${r.email} (sub ${r.sub}${r.created ? ', created now' : ''})`;
          fill(
            output,
            el(
              'p',
              {},
              `For ${who}, from ${r.issuer}, audience ${r.audience}; expires ${new Date(r.expiresAt).toLocaleString()}. `,
              copy,
            ),
            el('textarea', { readonly: true, rows: 5, id: 'token-value' }, r.token),
            el('p', { class: 'note' }, 'Send it as authorization: Bearer <token>.'),
          );
        } catch (error) {
          showError(output, error);
        }
      },
    },
    el('label', {}, 'Issuer', select),
    aim,
    Object.values(fields),
    el('button', { type: 'submit' }, 'Mint token'),
  );
  aimAt();
  return form;
}

/** Mints a token the service accepts: from lift dev's development issuer, or a local user pool. */
export async function tokenPanel(section) {
  const plan = await api('token');
  const shape = JSON.stringify(plan);
  if (section.dataset.plan === shape) return;
  section.dataset.plan = shape;
  const output = el('div', { class: 'token-output' });
  fill(
    section,
    ...heading(
      'Dev token',
      'Tokens the service accepts under lift dev: signed with keys lift dev holds, never valid elsewhere.',
    ),
    trustTable(plan),
    plan.note === undefined
      ? undefined
      : el('p', { class: plan.targets.length === 0 ? 'error' : 'note', id: 'token-note' }, plan.note),
    plan.targets.length === 0 ? undefined : tokenForm(plan, output),
    output,
  );
}
