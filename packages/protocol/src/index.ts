// Everything that does not depend on where it runs. `node.ts` and `browser.ts` add the bound
// `protocol` object for their platform.
export * from './api.ts';
export * from './base45.ts';
export { bytesEqual, fromBase64url, fromHex, toBase64url, toHex } from './bytes.ts';
export * from './credential.ts';
export type * from './crypto.ts';
export * from './errors.ts';
export * from './keyring.ts';
export * from './keys.ts';
export * from './limits.ts';
export * from './manual-code.ts';
export * from './presentation.ts';
export * from './verify.ts';
