/// <reference types="vite/client" />

/** The gate app's version from its package.json, defined by vite.config.ts at build time. */
declare const __GATE_APP_VERSION__: string | undefined;
