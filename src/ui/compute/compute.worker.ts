import * as Comlink from 'comlink';
import { createCompute } from './compute.ts';

Comlink.expose(createCompute());
