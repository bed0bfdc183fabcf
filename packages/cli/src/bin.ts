import { existsSync, readFileSync } from 'node:fs';
import { checkRecordBody, type Invocation, parseCommandLine, readBodyArgument, UsageError } from './args.js';
import { legacyFolderNotice, loadDevIssuer, mintDevToken } from './dev-issuer.js';
import { startDevServer } from './dev-server.js';
import { DevServerError } from './errors.js';
import { invoke } from './invoke.js';
import { generateOpenApi } from './openapi.js';
import { ServiceError } from './service.js';
import { isThrownInstance, thrownMessage, thrownProperty } from './thrown.js';

function version(): string {
  // One level under the package root both as src/bin.ts and as the built dist/lift.mjs.
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version?: string;
  };
  return pkg.version ?? 'unknown';
}

const stderrLine = (line: string) => process.stderr.write(`${line}\n`);

async function run(invocation: Invocation): Promise<void> {
  switch (invocation.kind) {
    case 'help':
      console.log(invocation.text);
      return;
    case 'version':
      console.log(version());
      return;
    case 'token': {
      if (!existsSync(invocation.entry)) throw new ServiceError(`Entry not found: ${invocation.entry}`);
      const legacy = legacyFolderNotice(invocation.entry);
      if (legacy !== undefined) stderrLine(`lift token: note: ${legacy}`);
      console.log(await mintDevToken(loadDevIssuer(invocation.entry), invocation.token));
      return;
    }
    case 'openapi': {
      const text = await generateOpenApi({
        ...invocation.options,
        log: (line) => stderrLine(`lift openapi: ${line}`),
      });
      if (invocation.options.out === undefined) process.stdout.write(text);
      else stderrLine(`lift openapi: wrote ${invocation.options.out}`);
      return;
    }
    case 'invoke': {
      const body = invocation.body === undefined ? undefined : readBodyArgument(invocation.body);
      if (body !== undefined) checkRecordBody(invocation.options.source, body);
      const result = await invoke({
        ...invocation.options,
        ...(body === undefined ? {} : { body }),
        log: (line) => stderrLine(`lift invoke: ${line}`),
      });
      // What Lambda answers for a handler that returns nothing (SNS, S3, EventBridge, schedules): null.
      console.log(JSON.stringify(result ?? null, null, 2));
      return;
    }
    case 'dev': {
      const { options } = invocation;
      const server = await startDevServer(options);
      console.log(
        `lift dev: ${options.entry} on ${server.url} (DynamoDB ${
          options.dynamodbEndpoint ?? `embedded at ${server.dynamodbEndpoint}`
        }${options.dataDir === undefined ? '' : `, data in ${options.dataDir}`}); Ctrl-C stops`,
      );
      let stopping = false;
      const stop = (signal: NodeJS.Signals) => {
        // A second Ctrl-C while closing means now; the exit handlers still remove the lock and builds.
        if (stopping) process.exit(130);
        stopping = true;
        server.close().then(
          () => process.exit(0),
          (error: unknown) => {
            stderrLine(`lift dev: stopping on ${signal}: ${thrownMessage(error)}`);
            process.exit(1);
          },
        );
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      process.on('SIGHUP', stop);
      return;
    }
  }
}

/** One line for any failure: what went wrong, never a stack unless LIFT_DEBUG asks for it. */
function report(error: unknown, command: string | undefined): number {
  const prefix = command === undefined ? 'lift' : `lift ${command}`;
  if (isThrownInstance(error, UsageError)) {
    stderrLine(`${error.command === undefined ? 'lift' : `lift ${error.command}`}: ${error.message}`);
    return 2;
  }
  if (isThrownInstance(error, ServiceError) || isThrownInstance(error, DevServerError)) {
    stderrLine(`${prefix}: ${error.message}`);
    return 1;
  }
  const stack = thrownProperty(error, 'stack');
  if (process.env.LIFT_DEBUG !== undefined && typeof stack === 'string') {
    stderrLine(`${prefix}: ${stack}`);
  } else {
    const message = thrownMessage(error).split('\n')[0];
    const hint = typeof thrownProperty(error, 'code') === 'string' ? '' : ' (LIFT_DEBUG=1 prints the stack)';
    stderrLine(`${prefix}: ${message}${hint}`);
  }
  return 1;
}

/** Exits once what was written has gone out: a handler's timers or sockets must not keep invoke running. */
function exit(code: number): void {
  let pending = 2;
  const done = () => {
    pending -= 1;
    if (pending === 0) process.exit(code);
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
}

const argv = process.argv.slice(2);
try {
  const invocation = parseCommandLine(argv);
  await run(invocation);
  if (invocation.kind !== 'dev') exit(0);
} catch (error) {
  exit(report(error, argv[0]?.startsWith('-') ? undefined : argv[0]));
}
