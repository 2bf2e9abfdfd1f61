import { createProtocol } from './api.ts';
import { nodeBackend } from './backends/node.ts';

// The WebCrypto backend runs in Node too; it is exported here so tests can cross-check the two.
export { webBackend } from './backends/web.ts';
export * from './index.ts';
export { nodeBackend };
export const protocol = createProtocol(nodeBackend);
