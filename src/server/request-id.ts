import { randomUUID } from 'node:crypto';

const SAFE_ID = /^[\x21-\x7e]{1,200}$/;

/** The client's `x-request-id` when it is a sane token, else a fresh UUID. */
export function requestIdFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value && SAFE_ID.test(value) ? value : randomUUID();
}
