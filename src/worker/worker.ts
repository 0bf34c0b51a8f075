// The run worker's entry: expose the lab service (run/api.ts) to the page with Comlink, over the browser's platform.
import * as Comlink from 'comlink';
import { createLabWorkerApi } from '../run/service.ts';
import { browserDeps } from './platform.ts';

Comlink.expose(createLabWorkerApi(browserDeps()));
