/**
 * `@lift/cdk`: deploy a Lift service from the declarations in its code. `loadService(entry)`
 * reads the app's manifest and its tables, buckets and user pools; `LiftService` builds one stack
 * from them, or compose the parts (`LiftTable`, `LiftBucket`, `LiftUserPool`, `LiftFunctions`,
 * `LiftHttpApi` or `LiftRestApi` or `LiftFunctionUrl`, `LiftEvents`, `LiftMonitoring`) over several stacks.
 */
export {
  type GatewayAuthorizer,
  gatewayPath,
  LiftHttpApi,
  type LiftHttpApiProps,
  type ServedRoute,
} from './api.js';
export { type CodeEmail, LiftUserPool, type LiftUserPoolProps } from './auth.js';
export { type BundleOptions, bundleEntry } from './bundle.js';
export { type DataAccess, LiftBucket, type LiftBucketProps, LiftTable, type LiftTableProps } from './data.js';
export {
  type DeclaredBucket,
  type DeclaredUserPool,
  type LoadServiceOptions,
  loadService,
  type ServiceDeclarations,
  serviceDeclarations,
} from './declarations.js';
export { LiftEvents, type LiftEventsProps } from './events.js';
export { LiftFunction, type LiftFunctionProps, type MemoryPreset } from './function.js';
export { type FunctionPlan, LiftFunctions, type LiftFunctionsProps } from './functions.js';
export { addGuardRails } from './guards.js';
export { LiftMonitoring, type LiftMonitoringProps } from './monitoring.js';
export { LiftService, type LiftServiceProps, tagService } from './service.js';
export { type StageDomain, type StageOverrides, type StageSettings, stageSettings } from './stage.js';
export {
  LiftFunctionUrl,
  type LiftFunctionUrlProps,
  LiftRestApi,
  type LiftRestApiProps,
} from './variants.js';
