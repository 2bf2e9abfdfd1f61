/**
 * Loads `/config.json` once. The service worker answers it from its cache when the network is
 * gone, so an offline start still knows the servers (it just cannot reach them).
 */
import { type AppConfig, isAppConfig } from './app-config.ts';

const configTimeoutMs = 5_000;
let loading: Promise<AppConfig> | undefined;

export function loadConfig(): Promise<AppConfig> {
  loading ??= fetch('/config.json', {
    cache: 'no-store',
    signal: AbortSignal.timeout(configTimeoutMs),
  })
    .then(async (response) => {
      if (!response.ok) throw new Error(`/config.json answered ${response.status}`);
      const config: unknown = await response.json();
      if (!isAppConfig(config)) throw new Error('/config.json is not the app configuration');
      return config;
    })
    .catch((error: unknown) => {
      loading = undefined; // try again next time
      throw error;
    });
  return loading;
}
