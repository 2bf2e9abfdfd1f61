import { createProtocol } from './api.ts';
import { webBackend } from './backends/web.ts';

export * from './index.ts';
export { webBackend };
export const protocol = createProtocol(webBackend);
