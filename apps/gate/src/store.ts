/**
 * The terminal's own storage: one IndexedDB database, so that everything it needs to admit with
 * no network survives a reload or a flat battery. The terminal works from memory (store.ts is
 * only read at start) and writes every change through to here.
 *
 * Stores:
 * - `kv`: small records by name: the credential, the package header (venue, keys, performances),
 *   the package cursor, the live feed's last event id;
 * - `manualCodes`: salted PIN hashes by the 10-digit ticket number (replaced when a ticket is
 *   reissued);
 * - `revocations`: by `code/ticket id`, the highest revoked revision;
 * - `admissions`: what every gate admitted (package and live feed), by a key that is the same for
 *   both sources, for the duplicate check;
 * - `log`: this terminal's decisions, by nonce, with an index of those not uploaded yet.
 */

const databaseName = 'tessera-gate';
const databaseVersion = 2;

export type StoreName = 'kv' | 'manualCodes' | 'revocations' | 'admissions' | 'log';
const keyPaths: Record<Exclude<StoreName, 'kv'>, string> = {
  manualCodes: 'ticketNumber',
  revocations: 'key',
  admissions: 'key',
  log: 'nonce',
};

let opening: Promise<IDBDatabase> | undefined;

function database(): Promise<IDBDatabase> {
  opening ??= new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open(databaseName, databaseVersion);
    request.onupgradeneeded = (event) => {
      const db = request.result;
      if (event.oldVersion === 1) upgradeFromVersion1(db, request.transaction as IDBTransaction);
      if (!db.objectStoreNames.contains('kv')) db.createObjectStore('kv');
      for (const [name, keyPath] of Object.entries(keyPaths)) {
        if (db.objectStoreNames.contains(name)) continue;
        const store = db.createObjectStore(name, { keyPath });
        if (name === 'log') store.createIndex('pending', 'pending');
      }
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB could not be opened'));
    request.onblocked = () => reject(new Error('close the other gate tabs and reload'));
  });
  opening.catch(() => {
    opening = undefined;
  });
  return opening;
}

/**
 * Version 2 took the protocol's names (docs/protocol.md): the ticket id is `ticketId`, the
 * 10-digit manual number `ticketNumber`, the presentation time `presentationTimeS`. What came
 * from the server (manual codes, revocations, admissions) is dropped with the package cursor and
 * the feed's resume point, so the next sync brings it whole under the new names; the terminal's
 * own log, which holds admissions not uploaded yet, is rewritten in place.
 */
function upgradeFromVersion1(db: IDBDatabase, transaction: IDBTransaction) {
  db.deleteObjectStore('manualCodes');
  transaction.objectStore('revocations').clear();
  transaction.objectStore('admissions').clear();
  const kv = transaction.objectStore('kv');
  kv.delete('cursor');
  kv.delete('lastEventId');
  const log = transaction.objectStore('log').openCursor();
  log.onsuccess = () => {
    const cursor = log.result;
    if (!cursor) return;
    cursor.update(renamedLogEntry(cursor.value));
    cursor.continue();
  };
}

/** A version 1 log entry under the version 2 names. */
export function renamedLogEntry(entry: Record<string, unknown>): Record<string, unknown> {
  const { ticketNumber, presentationTime, ...rest } = entry;
  return {
    ...rest,
    ticketId: rest.ticketId ?? ticketNumber ?? null,
    presentationTimeS: rest.presentationTimeS ?? presentationTime ?? null,
  };
}

/** Runs `work` in one transaction over `stores`; resolves once it has committed. */
async function transact<T>(
  stores: StoreName[],
  mode: IDBTransactionMode,
  work: (transaction: IDBTransaction) => IDBRequest<T> | undefined,
): Promise<T> {
  const db = await database();
  return new Promise<T>((resolve, reject) => {
    const transaction = db.transaction(stores, mode);
    const request = work(transaction);
    transaction.oncomplete = () => resolve(request?.result as T);
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error ?? new Error('storage aborted'));
  });
}

export function getValue<T>(key: string): Promise<T | undefined> {
  return transact(['kv'], 'readonly', (t) => t.objectStore('kv').get(key));
}

export async function setValue(key: string, value: unknown): Promise<void> {
  await transact(['kv'], 'readwrite', (t) => t.objectStore('kv').put(value, key));
}

export function getAll<T>(store: Exclude<StoreName, 'kv'>): Promise<T[]> {
  return transact([store], 'readonly', (t) => t.objectStore(store).getAll());
}

export function getAllPending<T>(): Promise<T[]> {
  return transact(['log'], 'readonly', (t) => t.objectStore('log').index('pending').getAll(1));
}

/** Writes records (by their key path) and kv values in one transaction: all or nothing. */
export async function write(change: {
  put?: Partial<Record<Exclude<StoreName, 'kv'>, readonly unknown[]>>;
  kv?: Record<string, unknown>;
  clear?: Exclude<StoreName, 'kv'>[];
}): Promise<void> {
  const stores = new Set<StoreName>([
    ...(Object.keys(change.put ?? {}) as StoreName[]),
    ...(change.clear ?? []),
  ]);
  if (change.kv) stores.add('kv');
  if (stores.size === 0) return;
  await transact([...stores], 'readwrite', (transaction) => {
    for (const store of change.clear ?? []) transaction.objectStore(store).clear();
    for (const [store, values] of Object.entries(change.put ?? {})) {
      const objectStore = transaction.objectStore(store);
      for (const value of values ?? []) objectStore.put(value);
    }
    for (const [key, value] of Object.entries(change.kv ?? {})) {
      transaction.objectStore('kv').put(value, key);
    }
    return undefined;
  });
}

/** Forgets everything: the terminal is enrolled anew. */
export async function clearAll(): Promise<void> {
  await write({ clear: ['manualCodes', 'revocations', 'admissions', 'log'], kv: {} });
  await transact(['kv'], 'readwrite', (t) => t.objectStore('kv').clear());
}
