/**
 * The documents of an Envoy AI Gateway config file as Kubernetes-style resources, each
 * remembering where it came from so every error and warning can name the document, the
 * resource and the field: `config.yaml:42: document 5 (AIServiceBackend "openai"):
 * spec.schema.name: ...`.
 */
import { ConfigError, fieldPath } from '../config-error.js';
import { describe, type Path } from '../shape.js';
import type { YamlSource } from '../yaml-source.js';

export const DEFAULT_NAMESPACE = 'default';

export interface Resource {
  /** 0-based index of the YAML document. */
  readonly index: number;
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  readonly annotations: Readonly<Record<string, string>>;
  /** The whole document as plain data. */
  readonly body: Readonly<Record<string, unknown>>;
}

/** Warnings (behaviour differs from aigw or is dropped) and notes (ignored, harmless). */
export class Diagnostics {
  readonly warnings: string[] = [];
  readonly notes: string[] = [];

  constructor(readonly source: YamlSource) {}

  /** `file:line: document N (Kind "name")`, the prefix of every message about `resource`. */
  where(resource: Resource, path: Path = []): string {
    return `${this.source.where(path, resource.index)}: document ${resource.index + 1} (${resource.kind} "${resource.name}")`;
  }

  error(resource: Resource, path: Path, problem: string): ConfigError {
    return new ConfigError(this.where(resource, path), fieldPath(path), problem);
  }

  warn(resource: Resource, path: Path, problem: string): void {
    const field = fieldPath(path);
    this.warnings.push(`${this.where(resource, path)}: ${field ? `${field}: ` : ''}${problem}`);
  }

  note(resource: Resource, text: string): void {
    this.notes.push(`${this.where(resource)}: ${text}`);
  }
}

/** All resources of a file, looked up by kind, namespace and name. */
export class ResourceSet {
  private readonly byKey = new Map<string, Resource>();
  readonly all: readonly Resource[];

  private constructor(resources: Resource[]) {
    this.all = resources;
    for (const r of resources) this.byKey.set(key(r.kind, r.namespace, r.name), r);
  }

  /**
   * Reads every non-empty document. A resource defined twice (same kind, namespace and
   * name) keeps its first definition, as `aigw run` does, with a warning.
   */
  static read(source: YamlSource, diagnostics: Diagnostics): ResourceSet {
    const resources: Resource[] = [];
    const seen = new Set<string>();
    source.documents.forEach((doc, index) => {
      if (doc.contents === null) return;
      const fail = (path: Path, problem: string) =>
        source.error(path, `document ${index + 1}: ${problem}`, index);
      const value: unknown = doc.toJS();
      if (value === null || value === undefined) return;
      if (typeof value !== 'object' || Array.isArray(value)) {
        throw fail(
          [],
          `expected a resource (a mapping with apiVersion, kind and metadata), got ${describe(value)}`,
        );
      }
      const body = value as Record<string, unknown>;
      const kind = body['kind'];
      if (typeof kind !== 'string' || !kind) throw fail(['kind'], 'every resource needs a "kind"');
      const apiVersion = typeof body['apiVersion'] === 'string' ? body['apiVersion'] : '';
      const metadata = body['metadata'];
      const meta =
        metadata !== null && typeof metadata === 'object' && !Array.isArray(metadata)
          ? (metadata as Record<string, unknown>)
          : {};
      const name = typeof meta['name'] === 'string' ? meta['name'] : '';
      const namespace =
        typeof meta['namespace'] === 'string' && meta['namespace'] ? meta['namespace'] : DEFAULT_NAMESPACE;
      const resource: Resource = {
        index,
        apiVersion,
        kind,
        name,
        namespace,
        annotations: stringMap(meta['annotations']),
        body,
      };
      const id = key(kind, namespace, name);
      if (seen.has(id)) {
        diagnostics.warn(
          resource,
          [],
          `duplicate ${kind} "${namespace}/${name}": the first definition is used`,
        );
        return;
      }
      seen.add(id);
      resources.push(resource);
    });
    return new ResourceSet(resources);
  }

  ofKind(kind: string): Resource[] {
    return this.all.filter((r) => r.kind === kind);
  }

  find(kind: string, namespace: string, name: string): Resource | undefined {
    return this.byKey.get(key(kind, namespace, name));
  }
}

function key(kind: string, namespace: string, name: string): string {
  return `${kind}\u0000${namespace}\u0000${name}`;
}

function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return out;
  for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
  return out;
}

/** Typed reads of fields of one resource; failures are errors located at the field. */
export class Fields {
  constructor(
    readonly resource: Resource,
    private readonly diagnostics: Diagnostics,
  ) {}

  fail(path: Path, problem: string): ConfigError {
    return this.diagnostics.error(this.resource, path, problem);
  }

  warn(path: Path, problem: string): void {
    this.diagnostics.warn(this.resource, path, problem);
  }

  /** The value at `path`, or undefined when any step is missing. */
  get(path: Path): unknown {
    let value: unknown = this.resource.body;
    for (const step of path) {
      if (value === null || typeof value !== 'object') return undefined;
      value = (value as Record<string | number, unknown>)[step];
    }
    return value;
  }

  mapping(path: Path, required = false): Record<string, unknown> | undefined {
    const value = this.get(path);
    if (value === undefined || value === null) {
      if (required) throw this.fail(path, 'is required');
      return undefined;
    }
    if (typeof value !== 'object' || Array.isArray(value)) {
      throw this.fail(path, `expected a mapping, got ${describe(value)}`);
    }
    return value as Record<string, unknown>;
  }

  list(path: Path): unknown[] {
    const value = this.get(path);
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) throw this.fail(path, `expected a list, got ${describe(value)}`);
    return value;
  }

  string(path: Path, required: true): string;
  string(path: Path, required?: false): string | undefined;
  string(path: Path, required = false): string | undefined {
    const value = this.get(path);
    if (value === undefined || value === null) {
      if (required) throw this.fail(path, 'is required');
      return undefined;
    }
    if (typeof value !== 'string') throw this.fail(path, `expected a string, got ${describe(value)}`);
    if (required && !value.trim()) throw this.fail(path, 'must not be empty');
    return value;
  }

  integer(path: Path, min: number, max: number): number | undefined {
    const value = this.get(path);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      throw this.fail(path, `expected a whole number, got ${describe(value)}`);
    }
    if (value < min || value > max) throw this.fail(path, `must be between ${min} and ${max}, got ${value}`);
    return value;
  }

  /** Warns about keys of the mapping at `path` outside `known`. */
  unknownKeys(path: Path, known: readonly string[]): void {
    const map = this.mapping(path);
    if (!map) return;
    for (const k of Object.keys(map)) {
      if (!known.includes(k)) this.warn([...path, k], 'unknown field; ignored');
    }
  }
}

/** A resource's reference to another: name plus optional namespace (defaults to its own). */
export function referencedNamespace(fields: Fields, path: Path): string {
  return fields.string([...path, 'namespace']) || fields.resource.namespace;
}
