// The run worker's entry: expose the service (see api.ts for the API) to the page with Comlink.
import * as Comlink from 'comlink';
import { browserDeps } from './platform.ts';
import { createLabWorkerApi } from './service.ts';

Comlink.expose(createLabWorkerApi(browserDeps()));
