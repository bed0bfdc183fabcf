/**
 * `@lift/core/worker`: `createWorker`, a Lambda function that consumes records (SQS, SNS, S3,
 * EventBridge, schedules, DynamoDB Streams, Kinesis) and serves no HTTP, so its bundle carries none
 * of the HTTP core. The record types and options are those of `@lift/core/events`.
 */
export { createWorker, Worker, type WorkerOptions } from './worker.js';
