// The app's shared state, handed to every page through Svelte context.
import { getContext, setContext } from 'svelte';
import type { AppState } from './app.svelte.ts';

const KEY = Symbol('persona-refusal-lab');

export function provideApp(app: AppState): AppState {
  return setContext(KEY, app);
}

export function useApp(): AppState {
  const app = getContext<AppState | undefined>(KEY);
  if (app === undefined) throw new Error('useApp() called outside <App>: mount pages inside App.svelte.');
  return app;
}
