// Worker-thread entry: tsx's loader is registered per thread, so a TypeScript module started in a
// worker needs this plain-JS shim to register it before importing the real entry.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
