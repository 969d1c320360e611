/**
 * `x-switchyard-model`: the model the client asked for, on every response once the body
 * was parsed (errors included). A proxy in front, which cannot read the body, logs it from
 * here (Envoy: `%RESP(X-SWITCHYARD-MODEL)%`).
 */
import type { ServerResponse } from 'node:http';

export const MODEL_HEADER = 'x-switchyard-model';

/** Printable ASCII up to 256 characters: anything else (a client's choice) is left out. */
const SAFE = /^[\x20-\x7e]{1,256}$/;

export function setModelHeader(res: ServerResponse, model: string): void {
  if (SAFE.test(model) && !res.headersSent) res.setHeader(MODEL_HEADER, model);
}
