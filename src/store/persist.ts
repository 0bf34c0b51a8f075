// Asking the browser to keep this site's storage under disk pressure: best-effort storage may be evicted, which would
// lose stored responses. Call it from the page (persist() is not available in workers), e.g. when a run starts.

export type Persistence = 'persisted' | 'not-granted' | 'unsupported';

type StorageManagerLike = { persisted?(): Promise<boolean>; persist?(): Promise<boolean> };

export async function requestPersistentStorage(
  storage: StorageManagerLike | undefined = globalThis.navigator?.storage,
): Promise<Persistence> {
  if (!storage?.persist) return 'unsupported';
  try {
    if (await storage.persisted?.()) return 'persisted';
    return (await storage.persist()) ? 'persisted' : 'not-granted';
  } catch {
    return 'not-granted';
  }
}
