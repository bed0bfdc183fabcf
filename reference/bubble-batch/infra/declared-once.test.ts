/**
 * Declared once: a route or schedule added to the app reaches the synthesised templates with no edit
 * to the infrastructure code (the stacks read the app's manifest).
 */
import { loadService, serviceDeclarations, stageSettings } from '@lift/cdk';
import type { App as LiftApp } from '@lift/core';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { expect, it } from 'vitest';
import * as resources from '../src/resources.js';
import { bubbleBatchStacks, ENTRY } from './stacks.js';

function templates(service: Parameters<typeof bubbleBatchStacks>[1]['service']) {
  const app = new App();
  const stacks = bubbleBatchStacks(app, {
    service,
    stage: stageSettings('dev'),
    conditions: ['@lift/source'],
  });
  return { api: Template.fromStack(stacks.api), scheduler: Template.fromStack(stacks.scheduler) };
}

const routeKeys = (t: Template) =>
  Object.values(t.findResources('AWS::ApiGatewayV2::Route')).map(
    (r) => (r as { Properties: { RouteKey: string; AuthorizationType: string } }).Properties,
  );

it('a route and a schedule added to the app appear in the templates, protected at the gateway, with no infra edit', async () => {
  const before = templates(await loadService(ENTRY, resources));
  // The same module instance loadService read: the app as the entry exports it.
  const entry = (await import('../src/handler.js')) as unknown as { app: LiftApp } & Record<string, unknown>;
  entry.app.get('/batches/:id/stats', { auth: {} }, (ctx) => ctx.json({}));
  entry.app.schedule('weekly-digest', { cron: '0 9 ? * MON *' }, async () => {});
  const after = templates(serviceDeclarations(entry));

  expect(routeKeys(before.api).map((r) => r.RouteKey)).not.toContain('GET /batches/{id}/stats');
  expect(routeKeys(after.api)).toContainEqual({
    RouteKey: 'GET /batches/{id}/stats',
    AuthorizationType: 'JWT',
    ApiId: expect.anything(),
    AuthorizerId: expect.anything(),
    Target: expect.anything(),
  });
  // GET and the HEAD beside it.
  expect(routeKeys(after.api)).toHaveLength(routeKeys(before.api).length + 2);
  // The new route is under /batches, so the Batches function serves it.
  expect(
    JSON.stringify(routeKeys(after.api).find((r) => r.RouteKey === 'GET /batches/{id}/stats')),
  ).toContain('BatchesIntegration');
  after.scheduler.hasResourceProperties('AWS::Scheduler::Schedule', {
    Name: 'weekly-digest',
    ScheduleExpression: 'cron(0 9 ? * MON *)',
  });
  expect(Object.keys(before.scheduler.findResources('AWS::Scheduler::Schedule'))).toHaveLength(1);
});
