/** Writes openapi.json from the app's routes: `npm run openapi`. */
import { writeFileSync } from 'node:fs';
import { openApiJson } from '@lift/core/openapi';
import { bubbleBatchDocument, OPENAPI_FILE } from '../src/testing/openapi.js';

const document = bubbleBatchDocument((w) => console.warn(`openapi: ${w.route} ${w.where}: ${w.message}`));
writeFileSync(OPENAPI_FILE, openApiJson(document));
console.log(`wrote ${OPENAPI_FILE}`);
