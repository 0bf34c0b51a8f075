// `npm run cli -- <command> [options]`: runs the pre-bundled CLI, building it first when it is missing or stale.
import { pathToFileURL } from 'node:url';
import { ensureCliBundle } from './cli-bundle.mjs';

await import(pathToFileURL(await ensureCliBundle()).href);
