/**
 * Lift's local S3 stand-in (the one `lift dev` runs), for tests that need a real bucket: it checks
 * SigV4 signatures and POST policies as S3 does. Imported from the CLI's sources until `@lift/cli`
 * exports it.
 */
export { type S3StandIn, startS3StandIn } from '../../../../packages/cli/src/standins/s3/index.js';
