/** The SMS port: how verification codes reach a phone. */
export interface SmsSender {
  send(phone: string, text: string): Promise<void>;
}

/**
 * Development sender: keeps the last messages per phone in memory for the development-only
 * inbox endpoint and writes them to the log. Never used in production (the config refuses
 * development endpoints there, and a real sender must be wired instead).
 */
export class DevelopmentSms implements SmsSender {
  private readonly inbox = new Map<string, { text: string; at: number }[]>();

  constructor(private readonly log: (message: string) => void = () => {}) {}

  async send(phone: string, text: string) {
    const messages = this.inbox.get(phone) ?? [];
    messages.push({ text, at: Date.now() });
    if (messages.length > 10) messages.shift();
    this.inbox.set(phone, messages);
    if (this.inbox.size > 10_000) {
      const oldest = this.inbox.keys().next().value;
      if (oldest !== undefined) this.inbox.delete(oldest);
    }
    this.log(`[development SMS] to ${phone}: ${text}`);
  }

  messages(phone: string) {
    return [...(this.inbox.get(phone) ?? [])];
  }

  /** The most recent 6-digit code sent to a phone, for tests and the development inbox. */
  lastCode(phone: string): string | undefined {
    const last = this.inbox.get(phone)?.at(-1);
    return last ? /\b([0-9]{6})\b/.exec(last.text)?.[1] : undefined;
  }
}

/**
 * Production sender: hands each message to an SMS provider's HTTP gateway (or a small relay in
 * front of one) as `POST <url>` with `{"to": "+8210…", "text": "…"}` and, when configured, a
 * bearer token. Nothing about the message is logged. A non-2xx answer is an error, so the
 * caller (sending a sign-in code) fails instead of pretending the code went out.
 */
export class HttpSmsGateway implements SmsSender {
  constructor(
    private readonly url: string,
    private readonly token: string | undefined,
    private readonly timeoutMs = 5_000,
  ) {}

  async send(phone: string, text: string) {
    const response = await fetch(this.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
      },
      body: JSON.stringify({ to: phone, text }),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    await response.body?.cancel().catch(() => {});
    if (!response.ok) throw new Error(`the SMS gateway answered ${response.status}`);
  }
}

/** The sender configured: the HTTP gateway when a URL is set, else the development inbox. */
export function smsSenderFor(
  config: { readonly smsUrl: string | undefined; readonly smsToken: string | undefined },
  log: (message: string) => void,
): SmsSender {
  return config.smsUrl
    ? new HttpSmsGateway(config.smsUrl, config.smsToken)
    : new DevelopmentSms(log);
}
