/**
 * Decodes an OTLP `ExportTraceServiceRequest` in protobuf into the shape of its http/json
 * encoding (ids in hex, times as strings), so a test receiver treats both encodings alike.
 * A plain wire-format reader, written for tests, independent of the gateway's encoder.
 */
interface Field {
  readonly field: number;
  readonly wire: number;
  /** Varints as bigint; length-delimited and fixed fields as their bytes. */
  readonly value: bigint | Buffer;
}

function fields(buf: Buffer): Field[] {
  const out: Field[] = [];
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const byte = buf[pos++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return result;
      shift += 7n;
    }
  };
  while (pos < buf.length) {
    const key = Number(varint());
    const field = key >>> 3;
    const wire = key & 7;
    if (wire === 0) out.push({ field, wire, value: varint() });
    else if (wire === 1 || wire === 5) {
      const size = wire === 1 ? 8 : 4;
      out.push({ field, wire, value: buf.subarray(pos, pos + size) });
      pos += size;
    } else if (wire === 2) {
      const length = Number(varint());
      out.push({ field, wire, value: buf.subarray(pos, pos + length) });
      pos += length;
    } else throw new Error(`unsupported wire type ${wire}`);
  }
  return out;
}

const bytes = (f: Field) => f.value as Buffer;
const text = (f: Field) => bytes(f).toString('utf8');
const int64 = (f: Field) => BigInt.asIntN(64, f.value as bigint);

type Json = Record<string, unknown>;

function anyValue(buf: Buffer): Json {
  const [f] = fields(buf);
  if (!f) return {};
  switch (f.field) {
    case 1:
      return { stringValue: text(f) };
    case 2:
      return { boolValue: f.value === 1n };
    case 3:
      return { intValue: String(int64(f)) };
    case 4:
      return { doubleValue: bytes(f).readDoubleLE(0) };
    case 5:
      return { arrayValue: { values: fields(bytes(f)).map((v) => anyValue(bytes(v))) } };
    default:
      return {};
  }
}

function keyValues(list: Field[]): Json[] {
  return list.map((kv) => {
    const parts = fields(bytes(kv));
    const key = parts.find((p) => p.field === 1);
    const value = parts.find((p) => p.field === 2);
    return { key: key ? text(key) : '', value: value ? anyValue(bytes(value)) : {} };
  });
}

function span(buf: Buffer): Json {
  const parts = fields(buf);
  const one = (n: number) => parts.find((p) => p.field === n);
  const all = (n: number) => parts.filter((p) => p.field === n);
  const status = one(15) ? fields(bytes(one(15)!)) : [];
  const message = status.find((p) => p.field === 2);
  return {
    traceId: bytes(one(1)!).toString('hex'),
    spanId: bytes(one(2)!).toString('hex'),
    ...(one(4) ? { parentSpanId: bytes(one(4)!).toString('hex') } : {}),
    name: text(one(5)!),
    kind: Number(one(6)?.value ?? 0n),
    startTimeUnixNano: String(bytes(one(7)!).readBigUInt64LE(0)),
    endTimeUnixNano: String(bytes(one(8)!).readBigUInt64LE(0)),
    attributes: keyValues(all(9)),
    events: all(11).map((e) => {
      const ev = fields(bytes(e));
      return {
        timeUnixNano: String(bytes(ev.find((p) => p.field === 1)!).readBigUInt64LE(0)),
        name: text(ev.find((p) => p.field === 2)!),
        attributes: keyValues(ev.filter((p) => p.field === 3)),
      };
    }),
    status: {
      code: Number(status.find((p) => p.field === 3)?.value ?? 0n),
      ...(message ? { message: text(message) } : {}),
    },
  };
}

/** The request in its http/json shape. */
export function decodeTraceRequest(buf: Buffer): Json {
  return {
    resourceSpans: fields(buf)
      .filter((f) => f.field === 1)
      .map((rs) => {
        const parts = fields(bytes(rs));
        const resource = parts.find((p) => p.field === 1);
        return {
          resource: {
            attributes: resource ? keyValues(fields(bytes(resource)).filter((p) => p.field === 1)) : [],
          },
          scopeSpans: parts
            .filter((p) => p.field === 2)
            .map((ss) => ({
              spans: fields(bytes(ss))
                .filter((p) => p.field === 2)
                .map((s) => span(bytes(s))),
            })),
        };
      }),
  };
}
