/**
 * Model name -> route, and route -> the order in which its backends are tried.
 * Routes are evaluated in order; the first whose match accepts the model wins.
 */
import type { BackendRef, ListedModel, Route } from '../config/model.js';

export class Resolver {
  private readonly exact = new Map<string, Route>();

  constructor(readonly routes: readonly Route[]) {
    // Exact names that come before any regex rule can be answered by a map lookup.
    for (const route of routes) {
      if (route.matches.some((m) => m.kind === 'regex')) break;
      for (const m of route.matches) {
        if (m.kind === 'exact' && !this.exact.has(m.name)) this.exact.set(m.name, route);
      }
    }
  }

  /** The route serving `model`, or undefined when no rule matches it. */
  resolve(model: string): Route | undefined {
    const fast = this.exact.get(model);
    if (fast) return fast;
    for (const route of this.routes) {
      for (const m of route.matches) {
        if (m.kind === 'exact' ? m.name === model : fullMatch(m.pattern, model)) return route;
      }
    }
    return undefined;
  }

  /**
   * Models for `GET /v1/models`, in route order; the first listing wins for duplicate ids.
   * `upstream` adds, per route, the models its provider reported; of those, only ids this
   * resolver would actually send to that route are listed.
   */
  listModels(upstream: ReadonlyMap<Route, readonly ListedModel[]> = new Map()): ListedModel[] {
    const seen = new Map<string, ListedModel>();
    for (const route of this.routes) {
      for (const model of route.listedModels) if (!seen.has(model.id)) seen.set(model.id, model);
      for (const model of upstream.get(route) ?? []) {
        if (!seen.has(model.id) && this.resolve(model.id) === route) seen.set(model.id, model);
      }
    }
    return [...seen.values()];
  }
}

/** Envoy's RegularExpression header match is a full match (RE2 semantics). */
function fullMatch(pattern: RegExp, text: string): boolean {
  pattern.lastIndex = 0;
  const m = pattern.exec(text);
  return m !== null && m.index === 0 && m[0].length === text.length;
}

/**
 * The backends of a route in the order to try them: priority groups ascending; inside a
 * group, one weighted draw first, then the rest of the group by descending weight.
 * `random` returns a number in [0, 1).
 */
export function backendOrder(route: Route, random: () => number = Math.random): BackendRef[] {
  const groups = new Map<number, BackendRef[]>();
  for (const ref of route.backends) {
    const group = groups.get(ref.priority) ?? [];
    group.push(ref);
    groups.set(ref.priority, group);
  }
  const out: BackendRef[] = [];
  for (const priority of [...groups.keys()].sort((a, b) => a - b)) {
    const group = groups.get(priority)!;
    const first = weightedPick(group, random);
    out.push(first);
    const rest = group.filter((r) => r !== first).sort((a, b) => b.weight - a.weight);
    out.push(...rest);
  }
  return out;
}

function weightedPick(group: readonly BackendRef[], random: () => number): BackendRef {
  const total = group.reduce((sum, r) => sum + Math.max(0, r.weight), 0);
  if (total <= 0) return group[0]!;
  let x = random() * total;
  for (const ref of group) {
    x -= Math.max(0, ref.weight);
    if (x < 0) return ref;
  }
  return group[group.length - 1]!;
}
