import type { App } from '../app.ts';
import type { Exchange } from '../context.ts';

export function fiatRoutes(app: App, exchange: Exchange) {
  void app;
  void exchange;
}
