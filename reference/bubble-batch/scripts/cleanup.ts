/**
 * Archives batches idle for 90 days and deletes photos older than a year and exports older than a
 * day (see src/cleanup.ts). Locally it reads `AWS_ENDPOINT_URL_DYNAMODB` / `AWS_ENDPOINT_URL_S3`
 * (or `--endpoint` / `--s3-endpoint`); deployed, `TABLE_NAME` and `BUCKET_NAME` name the resources.
 *
 *   npm run cleanup --workspace @lift/reference-bubble-batch -- --dry-run
 *   npm run cleanup --workspace @lift/reference-bubble-batch -- --archive-after-days 60
 */
import { parseArgs } from 'node:util';
import { tableClient } from '@lift/core/dynamodb';
import { cleanup } from '../src/cleanup.js';
import { bubbleTable, photosBucket } from '../src/resources.js';

const { values } = parseArgs({
  options: {
    endpoint: { type: 'string' },
    's3-endpoint': { type: 'string' },
    'dry-run': { type: 'boolean', default: false },
    'archive-after-days': { type: 'string', default: '90' },
    'photo-retention-days': { type: 'string', default: '365' },
    'skip-s3': { type: 'boolean', default: false },
  },
});

const days = (name: string, value: string | undefined) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a whole number of days`);
  return n;
};

if (values.endpoint !== undefined) process.env.AWS_ENDPOINT_URL_DYNAMODB = values.endpoint;
if (values['s3-endpoint'] !== undefined) process.env.AWS_ENDPOINT_URL_S3 = values['s3-endpoint'];
// Local stand-ins take any region and the dummy key pair `lift dev` uses.
const loopback = /^https?:\/\/(127\.0\.0\.1|localhost)(:\d+)?/;
if (
  [process.env.AWS_ENDPOINT_URL_DYNAMODB, process.env.AWS_ENDPOINT_URL_S3].some(
    (e) => e !== undefined && loopback.test(e),
  )
) {
  process.env.AWS_REGION ??= 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID ??= 'local';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
}

const options = {
  data: tableClient(bubbleTable),
  bucket: photosBucket,
  archiveAfterDays: days('archive-after-days', values['archive-after-days']),
  photoRetentionDays: days('photo-retention-days', values['photo-retention-days']),
  dryRun: values['dry-run'],
  log: (line: string) => console.log(`${values['dry-run'] ? '(dry run) ' : ''}${line}`),
};
if (values['skip-s3']) {
  const { archiveIdleBatches } = await import('../src/cleanup.js');
  console.log({ archived: await archiveIdleBatches(options) });
} else console.log(await cleanup(options));
