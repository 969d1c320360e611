/**
 * `switchyard healthcheck`: asks a local gateway's admin `/health` whether it is serving,
 * for container HEALTHCHECKs and scripts. Exit 0 when it answers 200; otherwise exit 1
 * with one line saying why (nothing listening, draining, timed out, ...).
 */
import { DEFAULT_LISTEN } from '../config/model.js';
import { type FlagSpec, formatHelp, parseCommand } from './flags.js';

export const HEALTHCHECK_FLAGS: readonly FlagSpec[] = [
  {
    name: 'admin-port',
    type: 'port',
    default: DEFAULT_LISTEN.adminPort,
    help: "The gateway's admin port (a `switchyard sim` engine answers /health on its own port).",
  },
  {
    name: 'host',
    type: 'string',
    default: '127.0.0.1',
    value: 'ADDR',
    help: 'Address of the admin server.',
  },
  {
    name: 'timeout',
    type: 'duration',
    default: 2000,
    value: 'DURATION',
    help: 'How long to wait for the answer (ms, or 2s).',
  },
];

const SUMMARY = `Exit 0 when the gateway's admin /health answers 200, else exit 1 with the reason.
Used by the Dockerfile's HEALTHCHECK.`;

export function healthcheckHelp(): string {
  return formatHelp('switchyard healthcheck [--admin-port N]', SUMMARY, HEALTHCHECK_FLAGS);
}

export async function healthcheckCommand(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const parsed = parseCommand(argv, HEALTHCHECK_FLAGS, env, 0);
  if (parsed.help) {
    process.stdout.write(healthcheckHelp());
    return 0;
  }
  const host = parsed.flags['host'] as string;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${parsed.flags['admin-port'] as number}/health`;
  const verdict = await probe(url, parsed.flags['timeout'] as number);
  if (verdict.ok) {
    process.stdout.write(`healthy: ${url} answered 200\n`);
    return 0;
  }
  process.stderr.write(`switchyard healthcheck: unhealthy: ${verdict.reason}\n`);
  return 1;
}

type Verdict = { ok: true } | { ok: false; reason: string };

async function probe(url: string, timeoutMs: number): Promise<Verdict> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    return { ok: false, reason: whyUnreachable(url, err, timeoutMs) };
  }
  const body = await res.text().catch(() => '');
  if (res.status === 200) return { ok: true };
  return { ok: false, reason: `${url} answered ${res.status}${detail(body)}` };
}

/** `{"status":"draining","inFlight":2}` -> ` (draining, 2 in flight)`. */
function detail(body: string): string {
  try {
    const parsed = JSON.parse(body) as {
      status?: unknown;
      inFlight?: unknown;
      error?: { message?: unknown };
    };
    if (typeof parsed.status === 'string') {
      return ` (${parsed.status}${typeof parsed.inFlight === 'number' ? `, ${parsed.inFlight} in flight` : ''})`;
    }
    if (typeof parsed.error?.message === 'string') return ` (${parsed.error.message})`;
  } catch {
    /* not JSON: the status says enough */
  }
  return '';
}

function whyUnreachable(url: string, err: unknown, timeoutMs: number): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
    return `${url} did not answer within ${timeoutMs} ms`;
  }
  const code = (err as { cause?: { code?: string } }).cause?.code;
  if (code === 'ECONNREFUSED')
    return `nothing listens at ${url} (connection refused): is the gateway running, with this --admin-port?`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `cannot resolve the host of ${url}`;
  return `${url} could not be reached: ${code ?? (err as Error).message}`;
}
