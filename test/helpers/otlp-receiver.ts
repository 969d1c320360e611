/**
 * A small OTLP/HTTP trace receiver for tests: accepts `POST /v1/traces` in the `http/json`
 * encoding (set `OTEL_EXPORTER_OTLP_PROTOCOL=http/json` on the gateway) or in the default
 * `http/protobuf` one, keeps every raw payload and the decoded spans, and answers 200 as a
 * collector does.
 */
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeTraceRequest } from './otlp-protobuf.js';

export type AttributeValue = string | number | boolean | AttributeValue[] | null;

export interface ReceivedSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string;
  readonly name: string;
  readonly kind: number;
  readonly startNs: bigint;
  readonly endNs: bigint;
  readonly attributes: Record<string, AttributeValue>;
  readonly events: { name: string; timeNs: bigint; attributes: Record<string, AttributeValue> }[];
  readonly status: { code: number; message?: string };
  readonly resource: Record<string, AttributeValue>;
}

interface OtlpKeyValue {
  key: string;
  value: OtlpAnyValue;
}
interface OtlpAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: number | string;
  doubleValue?: number;
  arrayValue?: { values?: OtlpAnyValue[] };
}

function decodeValue(v: OtlpAnyValue): AttributeValue {
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.arrayValue !== undefined) return (v.arrayValue.values ?? []).map(decodeValue);
  return null;
}

export function decodeAttributes(list: OtlpKeyValue[] | undefined): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const kv of list ?? []) out[kv.key] = decodeValue(kv.value);
  return out;
}

export class OtlpReceiver {
  readonly payloads: string[] = [];
  /** The content type of each request received. */
  readonly contentTypes: string[] = [];
  readonly spans: ReceivedSpan[] = [];

  private constructor(private readonly server: Server) {}

  static async start(): Promise<OtlpReceiver> {
    const server = http.createServer();
    const receiver = new OtlpReceiver(server);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        if (req.method !== 'POST' || req.url !== '/v1/traces') {
          res.writeHead(404).end();
          return;
        }
        const type = req.headers['content-type'] ?? '';
        const protobuf = type.startsWith('application/x-protobuf');
        receiver.contentTypes.push(type);
        receiver.payloads.push(protobuf ? raw.toString('base64') : raw.toString('utf8'));
        try {
          receiver.accept(protobuf ? decodeTraceRequest(raw) : JSON.parse(raw.toString('utf8')));
        } catch {
          res.writeHead(400).end();
          return;
        }
        // An empty ExportTraceServiceResponse in either encoding.
        if (protobuf) res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
        else res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Resolves with the spans matching `predicate` once there are at least `count` of them. */
  async waitForSpans(
    predicate: (span: ReceivedSpan) => boolean,
    count = 1,
    timeoutMs = 10_000,
  ): Promise<ReceivedSpan[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.spans.filter(predicate);
      if (found.length >= count) return found;
      if (Date.now() > deadline) {
        throw new Error(
          `timed out waiting for ${count} span(s); received: ${this.spans.map((s) => s.name).join(', ')}`,
        );
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** The one span whose `switchyard.request_id` is `requestId`. */
  async spanFor(requestId: string): Promise<ReceivedSpan> {
    const [span] = await this.waitForSpans((s) => s.attributes['switchyard.request_id'] === requestId);
    return span!;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(body: {
    resourceSpans?: {
      resource?: { attributes?: OtlpKeyValue[] };
      scopeSpans?: {
        spans?: {
          traceId: string;
          spanId: string;
          parentSpanId?: string;
          name: string;
          kind: number;
          startTimeUnixNano: string | number;
          endTimeUnixNano: string | number;
          attributes?: OtlpKeyValue[];
          events?: { name: string; timeUnixNano: string | number; attributes?: OtlpKeyValue[] }[];
          status?: { code?: number; message?: string };
        }[];
      }[];
    }[];
  }): void {
    for (const rs of body.resourceSpans ?? []) {
      const resource = decodeAttributes(rs.resource?.attributes);
      for (const ss of rs.scopeSpans ?? []) {
        for (const s of ss.spans ?? []) {
          this.spans.push({
            traceId: s.traceId,
            spanId: s.spanId,
            parentSpanId: s.parentSpanId ?? '',
            name: s.name,
            kind: s.kind,
            startNs: BigInt(s.startTimeUnixNano),
            endNs: BigInt(s.endTimeUnixNano),
            attributes: decodeAttributes(s.attributes),
            events: (s.events ?? []).map((e) => ({
              name: e.name,
              timeNs: BigInt(e.timeUnixNano),
              attributes: decodeAttributes(e.attributes),
            })),
            status: {
              code: s.status?.code ?? 0,
              ...(s.status?.message ? { message: s.status.message } : {}),
            },
            resource,
          });
        }
      }
    }
  }
}
