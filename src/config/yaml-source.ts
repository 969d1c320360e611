import { readFileSync } from 'node:fs';
import { type Document, isMap, isSeq, LineCounter, parseAllDocuments } from 'yaml';
import { ConfigError, fieldPath } from './config-error.js';

/**
 * A parsed YAML file that can point at the line of any field, so validation errors read
 * `endpoints.yaml:7: models[0].endpoints[1]: ...`.
 */
export class YamlSource {
  private constructor(
    readonly file: string,
    readonly documents: readonly Document.Parsed[],
    private readonly lines: LineCounter,
  ) {}

  static readFile(file: string): YamlSource {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a directory' : String(err);
      throw new ConfigError(file, '', why);
    }
    return YamlSource.parse(file, text);
  }

  static parse(file: string, text: string): YamlSource {
    const lines = new LineCounter();
    const documents = parseAllDocuments(text, { lineCounter: lines, uniqueKeys: true });
    if (!Array.isArray(documents)) return new YamlSource(file, [], lines);
    const source = new YamlSource(file, documents, lines);
    for (const doc of documents) {
      const first = doc.errors[0];
      if (first) {
        const line = lines.linePos(first.pos[0]).line;
        throw new ConfigError(`${file}:${line}`, '', `invalid YAML: ${first.message.split('\n')[0]}`);
      }
    }
    return source;
  }

  /** The `file:line` of the field at `path` in document `index`, or just the file. */
  where(path: readonly (string | number)[], index = 0): string {
    const doc = this.documents[index];
    if (!doc) return this.file;
    for (let depth = path.length; depth >= 0; depth--) {
      const node = doc.getIn(path.slice(0, depth), true) as { range?: [number, number, number] } | undefined;
      if (node && typeof node === 'object' && node.range) {
        return `${this.file}:${this.lines.linePos(node.range[0]).line}`;
      }
    }
    return this.file;
  }

  /** A ConfigError located at `path`. */
  error(path: readonly (string | number)[], problem: string, index = 0): ConfigError {
    return new ConfigError(this.where(path, index), fieldPath(path), problem);
  }

  /** True when the document holds a mapping or sequence (not an empty or scalar document). */
  static isStructured(doc: Document.Parsed): boolean {
    return isMap(doc.contents) || isSeq(doc.contents);
  }
}
