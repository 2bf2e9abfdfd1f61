/**
 * A TCP proxy in front of the exchange that can freeze, for the circuit breaker's tests: it
 * counts the requests that reach it (a call the breaker refused sends none) and either passes
 * traffic through, holds it (`hold`: a frozen process that accepts and never answers), or
 * forwards the request but swallows the answer (`swallow`: the exchange acted, the caller never
 * hears of it, the unknown outcome a payment call must survive).
 */
import { connect, createServer, type Socket } from 'node:net';

export type ProxyMode = 'pass' | 'hold' | 'swallow';

export async function startFrozenExchange(to?: { host: string; port: number }) {
  let target = to ?? { host: '127.0.0.1', port: 0 };
  let mode: ProxyMode = 'pass';
  let requests = 0;
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
  };
  const server = createServer((client) => {
    track(client);
    // Requests are small: each arrives in one chunk that starts with its method.
    client.on('data', (chunk: Buffer) => {
      if (/^[A-Z]+ \//.test(chunk.subarray(0, 16).toString('latin1'))) requests += 1;
    });
    if (mode === 'hold') return;
    const upstream = connect(target.port, target.host);
    track(upstream);
    client.pipe(upstream);
    if (mode === 'pass') upstream.pipe(client);
    else upstream.resume();
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => {
      if (mode === 'pass') client.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    /** Requests that reached the exchange's address so far, whatever became of them. */
    get requests() {
      return requests;
    },
    /** Where traffic goes (an exchange started after the proxy). */
    target(url: string) {
      const parsed = new URL(url);
      target = { host: parsed.hostname, port: Number(parsed.port) };
    },
    set(next: ProxyMode) {
      mode = next;
      // Kept-alive connections would carry the next calls past the new mode: start afresh.
      for (const socket of sockets) socket.destroy();
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
