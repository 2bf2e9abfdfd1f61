// Bundles this server into dist/server.mjs for `npm run start:built` (see scripts/bundle-service.mjs).
import { bundleService } from '../../scripts/bundle-service.mjs';

await bundleService(new URL('./', import.meta.url));
