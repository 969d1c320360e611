/**
 * Request headers copied onto spans and metric labels, configured as Envoy AI Gateway does:
 * `header:attribute,header:attribute` in
 *
 * - `OTEL_AIGW_REQUEST_HEADER_ATTRIBUTES`: both spans and metrics;
 * - `OTEL_AIGW_SPAN_REQUEST_HEADER_ATTRIBUTES`: spans; unset means `agent-session-id:session.id`,
 *   empty means none;
 * - `OTEL_AIGW_METRICS_REQUEST_HEADER_ATTRIBUTES`: metrics (the attribute's dots become
 *   underscores in the Prometheus label).
 *
 * A specific variable adds to the shared one and wins for a header both name. Credential
 * headers (`authorization`, API-key headers, cookies) can never be mapped: the gateway
 * refuses to start, so a secret cannot reach a span or a label by a configuration mistake.
 */
import type { IncomingHttpHeaders } from 'node:http';

export interface HeaderAttribute {
  /** Lower-case header name. */
  readonly header: string;
  /** Span attribute name (`session.id`), or Prometheus label name for metrics (`session_id`). */
  readonly attribute: string;
}

export type HeaderMapping = readonly HeaderAttribute[];

export const SHARED_VARIABLE = 'OTEL_AIGW_REQUEST_HEADER_ATTRIBUTES';
export const SPAN_VARIABLE = 'OTEL_AIGW_SPAN_REQUEST_HEADER_ATTRIBUTES';
export const METRICS_VARIABLE = 'OTEL_AIGW_METRICS_REQUEST_HEADER_ATTRIBUTES';
export const DEFAULT_SPAN_MAPPING = 'agent-session-id:session.id';

/** A header mapping that cannot be used; the message names the variable and the problem. */
export class HeaderMappingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HeaderMappingError';
  }
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9a-z-]+$/;
const ATTRIBUTE = /^[A-Za-z_][A-Za-z0-9_.]*$/;
const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie']);
const API_KEY = /api[-_]?key/;

/** Whether a header carries credentials and so may never be mapped. */
export function isCredentialHeader(header: string): boolean {
  return CREDENTIAL_HEADERS.has(header) || API_KEY.test(header);
}

/** Parses one variable's value. Throws `HeaderMappingError` with a one-line reason. */
export function parseHeaderMapping(text: string, variable: string): HeaderMapping {
  const out: HeaderAttribute[] = [];
  for (const item of text.split(',')) {
    const pair = item.trim();
    if (!pair) continue;
    const colon = pair.indexOf(':');
    if (colon === -1) throw new HeaderMappingError(`${variable}: "${pair}" is not header:attribute`);
    const header = pair.slice(0, colon).trim().toLowerCase();
    const attribute = pair.slice(colon + 1).trim();
    if (!TOKEN.test(header)) throw new HeaderMappingError(`${variable}: "${header}" is not a header name`);
    if (!ATTRIBUTE.test(attribute)) {
      throw new HeaderMappingError(
        `${variable}: attribute "${attribute}" must start with a letter or _ and use only letters, digits, _ and .`,
      );
    }
    if (isCredentialHeader(header)) {
      throw new HeaderMappingError(
        `${variable}: header "${header}" carries credentials and can never be mapped to an attribute`,
      );
    }
    if (out.some((e) => e.header === header)) {
      throw new HeaderMappingError(`${variable}: header "${header}" is mapped twice`);
    }
    out.push({ header, attribute });
  }
  return out;
}

/** `shared` plus `specific`; `specific` wins for a header both name. */
function merge(shared: HeaderMapping, specific: HeaderMapping): HeaderMapping {
  const headers = new Set(specific.map((e) => e.header));
  return [...shared.filter((e) => !headers.has(e.header)), ...specific];
}

/** Prometheus label for an attribute: dots become underscores. */
export function metricLabelName(attribute: string): string {
  return attribute.replaceAll('.', '_');
}

export interface HeaderMappings {
  readonly spans: HeaderMapping;
  /** With Prometheus label names as `attribute`. */
  readonly metrics: HeaderMapping;
}

/**
 * Resolves the three variables. `reservedLabels` are the labels the metrics already have; a
 * mapped label may not take one of their names.
 */
export function headerMappingsFrom(
  env: NodeJS.ProcessEnv,
  reservedLabels: readonly string[],
): HeaderMappings {
  const shared = parseHeaderMapping(env[SHARED_VARIABLE] ?? '', SHARED_VARIABLE);
  const spanText = env[SPAN_VARIABLE] ?? DEFAULT_SPAN_MAPPING;
  const spans = merge(shared, parseHeaderMapping(spanText, SPAN_VARIABLE));
  const metricsMapping = merge(shared, parseHeaderMapping(env[METRICS_VARIABLE] ?? '', METRICS_VARIABLE));
  const metrics = metricsMapping.map((e) => ({ header: e.header, attribute: metricLabelName(e.attribute) }));
  const seen = new Set<string>();
  for (const { header, attribute } of metrics) {
    if (attribute.startsWith('__')) {
      throw new HeaderMappingError(
        `${METRICS_VARIABLE}: label "${attribute}" may not start with __ (reserved by Prometheus)`,
      );
    }
    if (reservedLabels.includes(attribute)) {
      throw new HeaderMappingError(
        `${METRICS_VARIABLE}: header "${header}" maps to label "${attribute}", which the gateway's own metrics use`,
      );
    }
    if (seen.has(attribute)) {
      throw new HeaderMappingError(`${METRICS_VARIABLE}: two headers map to the label "${attribute}"`);
    }
    seen.add(attribute);
  }
  return { spans, metrics };
}

/** The mapped values present on a request (several values of one header are joined by commas). */
export function mappedValues(mapping: HeaderMapping, headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { header, attribute } of mapping) {
    const value = headers[header];
    if (value === undefined) continue;
    out[attribute] = Array.isArray(value) ? value.join(',') : value;
  }
  return out;
}
