// Hash-based navigation (`#/study?x=1`): works from any sub-path (GitHub Pages) and a deep link reopens the same page.

// `home` is the landing page at `#/`; `present` is the presentation view (one chart at a time, for a room).
export const ROUTES = ['home', 'study', 'models', 'run', 'results', 'present', 'explore', 'data', 'about', 'workshop', 'selftest'] as const;
export type RouteId = (typeof ROUTES)[number];

/** The pages of the menu: the landing page is the brand link. */
export const NAV_ROUTES: readonly RouteId[] = ROUTES.filter((r) => r !== 'home');

export const ROUTE_TITLES: Record<RouteId, string> = {
  home: 'Start',
  study: 'Study',
  models: 'Models',
  run: 'Run',
  results: 'Results',
  present: 'Present',
  explore: 'Explore',
  data: 'Data',
  about: 'About',
  workshop: 'Workshop',
  selftest: 'Self-test',
};

export const DEFAULT_ROUTE: RouteId = 'home';

export interface Location {
  route: RouteId;
  params: URLSearchParams;
}

/** `#/results?task=nli` → { route: 'results', params: task=nli }; anything unknown opens the default page. */
export function parseHash(hash: string): Location {
  const body = hash.replace(/^#\/?/, '');
  const q = body.indexOf('?');
  const path = (q === -1 ? body : body.slice(0, q)).replace(/\/+$/, '');
  const params = new URLSearchParams(q === -1 ? '' : body.slice(q + 1));
  const route = path !== 'home' && (ROUTES as readonly string[]).includes(path) ? (path as RouteId) : DEFAULT_ROUTE;
  return { route, params };
}

/** A relative link to a page: `#/`, `#/run` or `#/results?task=nli`. */
export function href(route: RouteId, params?: Record<string, string> | URLSearchParams): string {
  const search = params === undefined ? '' : new URLSearchParams(params).toString();
  return `#/${route === 'home' ? '' : route}${search ? `?${search}` : ''}`;
}

export class Router {
  #hash = $state('');
  #location = $derived.by(() => parseHash(this.#hash));
  #target: Window;
  #onChange = () => {
    this.#hash = this.#target.location.hash;
  };

  constructor(target: Window = window) {
    this.#target = target;
    this.#hash = target.location.hash;
    target.addEventListener('hashchange', this.#onChange);
  }

  get route(): RouteId {
    return this.#location.route;
  }

  get params(): URLSearchParams {
    return this.#location.params;
  }

  go(route: RouteId, params?: Record<string, string>): void {
    this.#target.location.hash = href(route, params);
  }

  /** Rewrites the query of the current page without a new history entry (filters, page numbers). */
  replaceParams(params: Record<string, string> | URLSearchParams): void {
    const next = href(this.route, params);
    this.#target.history.replaceState(null, '', next);
    this.#hash = next;
  }

  destroy(): void {
    this.#target.removeEventListener('hashchange', this.#onChange);
  }
}
