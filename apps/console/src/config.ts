/** Loads `/config.json` once: where the servers are (app-config.ts). */
import { type ConsoleConfig, isConsoleConfig } from './app-config.ts';

const configTimeoutMs = 5_000;
let loading: Promise<ConsoleConfig> | undefined;

export function loadConfig(): Promise<ConsoleConfig> {
  loading ??= fetch('/config.json', {
    cache: 'no-store',
    signal: AbortSignal.timeout(configTimeoutMs),
  })
    .then(async (response) => {
      if (!response.ok) throw new Error(`/config.json answered ${response.status}`);
      const config: unknown = await response.json();
      if (!isConsoleConfig(config))
        throw new Error('/config.json is not the console configuration');
      return config;
    })
    .catch((error: unknown) => {
      loading = undefined; // try again next time
      throw error;
    });
  return loading;
}
