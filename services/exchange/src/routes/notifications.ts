import type { App } from '../app.ts';
import type { Exchange } from '../context.ts';

export function notificationRoutes(app: App, exchange: Exchange) {
  void app;
  void exchange;
}
