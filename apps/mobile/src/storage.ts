/**
 * The phone's own storage (unit 308): one IndexedDB database that keeps what the app needs with
 * no network: the tickets, the device keys and the sessions. IndexedDB rather than localStorage
 * because it stores a non-extractable CryptoKey as it is (structured clone): the private key
 * never exists as bytes the page could read.
 *
 * Stores:
 * - `kv`: small records by name (the sessions, the last notice seen, payment keys);
 * - `keys`: the device key of each user who signed in here, by user id;
 * - `tickets`: the tickets, by ticket id, with a `userId` index.
 */

const databaseName = 'tessera-mobile';
const databaseVersion = 1;

export type StoreName = 'kv' | 'keys' | 'tickets';

let opening: Promise<IDBDatabase> | undefined;

function openDatabase(): Promise<IDBDatabase> {
  opening ??= new Promise<IDBDatabase>((resolve, reject) => {
    if (typeof indexedDB === 'undefined') {
      reject(new Error('this browser has no IndexedDB, so tickets cannot be kept on the device'));
      return;
    }
    const request = indexedDB.open(databaseName, databaseVersion);
    request.onupgradeneeded = () => {
      const db = request.result;
      // Version 1. Later versions add stores or indexes here, never change these.
      if (!db.objectStoreNames.contains('kv')) db.createObjectStore('kv');
      if (!db.objectStoreNames.contains('keys'))
        db.createObjectStore('keys', { keyPath: 'userId' });
      if (!db.objectStoreNames.contains('tickets')) {
        const tickets = db.createObjectStore('tickets', { keyPath: 'id' });
        tickets.createIndex('userId', 'userId');
      }
    };
    request.onsuccess = () => {
      const db = request.result;
      // Another tab opening a newer version: let it, and open again next time.
      db.onversionchange = () => {
        db.close();
        opening = undefined;
      };
      resolve(db);
    };
    request.onerror = () => reject(request.error ?? new Error('IndexedDB could not be opened'));
    request.onblocked = () => reject(new Error('close the other Tessera tabs and try again'));
  });
  // A failed open is not remembered, so the next call tries again.
  opening.catch(() => {
    opening = undefined;
  });
  return opening;
}

function run<T>(
  store: StoreName,
  mode: IDBTransactionMode,
  operation: (objectStore: IDBObjectStore) => IDBRequest<T>,
): Promise<T> {
  return openDatabase().then(
    (db) =>
      new Promise<T>((resolve, reject) => {
        const transaction = db.transaction(store, mode);
        const request = operation(transaction.objectStore(store));
        let result: T;
        request.onsuccess = () => {
          result = request.result;
        };
        // Resolve on commit, not on the request's success, so a write is durable when we go on.
        transaction.oncomplete = () => resolve(result);
        transaction.onerror = () => reject(transaction.error ?? request.error);
        transaction.onabort = () => reject(transaction.error ?? new Error('storage aborted'));
      }),
  );
}

export function getItem<T>(store: StoreName, key: IDBValidKey): Promise<T | undefined> {
  return run(store, 'readonly', (s) => s.get(key) as IDBRequest<T | undefined>);
}

/** Puts a record; `key` only for `kv`, whose records carry no key of their own. */
export async function putItem(store: StoreName, value: unknown, key?: IDBValidKey): Promise<void> {
  await run(store, 'readwrite', (s) => (key === undefined ? s.put(value) : s.put(value, key)));
}

export async function deleteItem(store: StoreName, key: IDBValidKey): Promise<void> {
  await run(store, 'readwrite', (s) => s.delete(key));
}

export function getAllByIndex<T>(store: StoreName, index: string, value: IDBValidKey) {
  return run(store, 'readonly', (s) => s.index(index).getAll(value) as IDBRequest<T[]>);
}

/** Several writes that must land together (a sync's result), in one transaction. */
export async function putMany(store: StoreName, values: readonly unknown[]): Promise<void> {
  const db = await openDatabase();
  await new Promise<void>((resolve, reject) => {
    const transaction = db.transaction(store, 'readwrite');
    const objectStore = transaction.objectStore(store);
    for (const value of values) objectStore.put(value);
    transaction.oncomplete = () => resolve();
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error ?? new Error('storage aborted'));
  });
}

/** Asks the browser not to evict this origin's storage under pressure: the tickets live here. */
export async function requestPersistentStorage(): Promise<void> {
  try {
    if (navigator.storage?.persist && !(await navigator.storage.persisted())) {
      await navigator.storage.persist();
    }
  } catch {
    // Best effort: without it the browser may still keep the data; nothing to tell the buyer.
  }
}
