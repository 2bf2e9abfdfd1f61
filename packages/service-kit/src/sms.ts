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
