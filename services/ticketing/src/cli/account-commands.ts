/**
 * The organizer command line's account commands: sign in, the organizers you work for, and one
 * organizer's wallet link and ticket signing keys.
 */
import { createInterface } from 'node:readline/promises';
import { UsageError } from './client.ts';
import {
  type Command,
  type Context,
  type Io,
  id,
  organizerHelp,
  organizerOf,
  organizerOption,
  printJson,
  text,
  when,
} from './command.ts';
import { table } from './format.ts';

const phonePattern = /^\+[1-9][0-9]{6,14}$/;

export const login: Command = {
  words: ['login'],
  args: '--phone <+E.164> [--code <6 digits> | --send] [--first-name <name>]',
  summary: 'Sign in with a phone number and the SMS code; prints the token to export',
  group: 'Signing in and your organizer',
  help: `options:
  --phone <+E.164>     your phone number, e.g. +821012345678
  --code <6 digits>    a code you already have: used as it is, no new code is sent
  --send               only send a code by SMS, then stop (sign in later with --code)
  --first-name <name>  your first name, on a first sign-in
Without --code or --send: sends a code and asks for it on stdin.
A new code replaces the one sent before, so --code never asks for another.

examples:
  eval "$(tessera-organizer login --phone +821012345678)"
  tessera-organizer login --phone +821012345678 --send
  tessera-organizer login --phone +821012345678 --code 123456`,
  options: {
    phone: { type: 'string' },
    code: { type: 'string' },
    send: { type: 'boolean' },
    'first-name': { type: 'string' },
  },
  positionals: [],
  async run(context) {
    const phone = text(context, 'phone');
    if (!phonePattern.test(phone)) {
      throw new UsageError(`--phone "${phone}" is not an E.164 number such as +821012345678`);
    }
    let code = context.values.code as string | undefined;
    if (code !== undefined && context.values.send) {
      throw new UsageError('--send asks for a new code, --code uses one: give one of them');
    }
    if (code !== undefined && !/^[0-9]{6}$/.test(code.trim())) {
      throw new UsageError('the code has 6 digits', context.usage);
    }
    const client = context.client();
    if (code === undefined) {
      const { body: sent } = await client.answer(
        client.anonymous.POST('/v1/auth/codes', { body: { phone } }),
      );
      if (context.values.send) {
        if (context.values.json) printJson(context, { phone, ...sent });
        else {
          context.out(
            `A code was sent to ${phone}, valid until ${when(sent.expiresAt)}.\nSign in with: login --phone ${phone} --code <code>\n`,
          );
        }
        return;
      }
      context.err(`A code was sent to ${phone}.\n`);
      code = await ask(context.io, 'Code: ');
    }
    code = code.trim();
    if (!/^[0-9]{6}$/.test(code)) throw new UsageError('the code has 6 digits');
    const firstName = context.values['first-name'] as string | undefined;
    const { body } = await client.answer(
      client.anonymous.POST('/v1/auth/sessions', {
        body: { phone, code, ...(firstName ? { firstName } : {}) },
      }),
    );
    if (context.values.json) {
      printJson(context, body);
      return;
    }
    context.err(
      `Signed in as ${body.user.phone} (${body.user.id}) until ${when(body.expiresAt)}.\nExport the token for the next commands (eval "$(... login ...)" does it):\n`,
    );
    context.out(`export TESSERA_TOKEN='${body.token}'\n`);
  },
};

/** One line from stdin (a terminal shows the prompt; a pipe just gives the line). */
async function ask(io: Io, prompt: string): Promise<string> {
  const lines = createInterface({ input: io.stdin, output: io.stderr, terminal: false });
  try {
    io.stderr.write(prompt);
    for await (const line of lines) return line;
  } finally {
    lines.close();
  }
  throw new UsageError('no code was given (stdin ended); pass --code');
}

export const organizers: Command = {
  words: ['organizers'],
  args: '',
  summary: 'The organizers you work for, and your role at each',
  group: 'Signing in and your organizer',
  help: `No options. The organizer ids it lists are what --organizer takes; with only one, the
commands that need an organizer take it without --organizer.

example:
  tessera-organizer organizers`,
  options: {},
  positionals: [],
  async run(context) {
    const client = context.client();
    const { body } = await client.answer(client.api.GET('/v1/me'));
    if (context.values.json) {
      printJson(context, body);
      return;
    }
    context.out(`Signed in as ${body.user.phone} (${body.user.id})\n`);
    if (body.organizers.length === 0) {
      context.out('You work for no organizer yet.\n');
      return;
    }
    context.out(
      `${table(
        ['Organizer', 'Name', 'Role'],
        body.organizers.map((o) => [o.id, o.name, o.role]),
      )}\n`,
    );
  },
};

async function organizerView(context: Context, organizerId: string) {
  const client = context.client();
  const { body } = await client.answer(
    client.api.GET('/v1/organizers/{organizerId}', { params: { path: { organizerId } } }),
  );
  return body;
}

type KeyView = Awaited<ReturnType<typeof organizerView>>['keys'][number];

const keysTable = (keys: readonly KeyView[]) =>
  table(
    ['Key', 'Key id', 'Status', 'Created', 'Retired'],
    keys.map((key) => [
      key.id,
      key.keyId,
      key.status,
      when(key.createdAt),
      key.retiredAt ? when(key.retiredAt) : '-',
    ]),
    '  ',
  );

export const organizerShow: Command = {
  words: ['organizer', 'show'],
  args: '[--organizer <org_…>]',
  summary: 'The organizer: its exchange wallet link and ticket signing keys',
  group: 'Signing in and your organizer',
  help: `options:
${organizerHelp}

example:
  tessera-organizer organizer show`,
  options: organizerOption,
  positionals: [],
  async run(context) {
    const organizerId = await organizerOf(context);
    const body = await organizerView(context, organizerId);
    if (context.values.json) {
      printJson(context, body);
      return;
    }
    context.out(`${body.name} (${body.id}), since ${when(body.createdAt)}\n`);
    context.out(
      body.wallet
        ? `Wallet: linked to merchant "${body.wallet.merchantName}" (${body.wallet.merchantId}) since ${when(body.wallet.linkedAt)}\n`
        : 'Wallet: not linked; events cannot be published until it is: wallet link --api-key xk_…\n',
    );
    context.out(`Signing keys:\n${keysTable(body.keys)}\n`);
  },
};

export const walletLink: Command = {
  words: ['wallet', 'link'],
  args: '--api-key <xk_…> [--organizer <org_…>]',
  summary: "Link the organizer's merchant wallet at the exchange (owner)",
  group: 'Signing in and your organizer',
  help: `options:
  --api-key <xk_…>     a merchant API key made at the exchange (or TESSERA_EXCHANGE_API_KEY)
${organizerHelp}
Linking again replaces the link. Publishing an event needs it.

example:
  TESSERA_EXCHANGE_API_KEY=xk_… tessera-organizer wallet link`,
  options: { ...organizerOption, 'api-key': { type: 'string' } },
  positionals: [],
  async run(context) {
    const apiKey =
      (context.values['api-key'] as string | undefined) ?? context.io.env.TESSERA_EXCHANGE_API_KEY;
    if (!apiKey || !/^xk_[A-Za-z0-9_-]{20,100}$/.test(apiKey)) {
      throw new UsageError(
        apiKey ? '--api-key is not a merchant API key (xk_…)' : '--api-key is required',
        context.usage,
      );
    }
    const organizerId = await organizerOf(context);
    const client = context.client();
    const { body } = await client.answer(
      client.api.PUT('/v1/organizers/{organizerId}/wallet', {
        params: { path: { organizerId } },
        body: { apiKey },
      }),
    );
    if (context.values.json) printJson(context, body);
    else context.out(`Linked to merchant "${body.merchantName}" (${body.merchantId}).\n`);
  },
};

export const keysRotate: Command = {
  words: ['keys', 'rotate'],
  args: '[--organizer <org_…>]',
  summary: 'Add a new ticket signing key (owner); new tickets are signed with it',
  group: 'Signing in and your organizer',
  help: `options:
${organizerHelp}
Older keys stay valid (terminals keep them) until retired with \`keys retire <key_…>\`.

example:
  tessera-organizer keys rotate`,
  options: organizerOption,
  positionals: [],
  async run(context) {
    const organizerId = await organizerOf(context);
    const client = context.client();
    const { body } = await client.answer(
      client.api.POST('/v1/organizers/{organizerId}/keys', {
        params: { path: { organizerId } },
      }),
    );
    if (context.values.json) printJson(context, body);
    else context.out(`New signing key ${body.id} (key id ${body.keyId}): ${body.status}\n`);
  },
};

export const keysRetire: Command = {
  words: ['keys', 'retire'],
  args: '<key_…> [--organizer <org_…>]',
  summary: 'Retire a signing key (owner): tickets it signed stop verifying',
  group: 'Signing in and your organizer',
  help: `options:
${organizerHelp}
Reissue the tickets a key signed before retiring it. \`organizer show\` lists the keys.

example:
  tessera-organizer keys retire key_…`,
  options: organizerOption,
  positionals: ['keyId'],
  async run(context) {
    const keyId = id(context, context.positionals[0], 'key', 'the key id');
    const organizerId = await organizerOf(context);
    const client = context.client();
    const { body } = await client.answer(
      client.api.POST('/v1/organizers/{organizerId}/keys/{keyId}/retire', {
        params: { path: { organizerId, keyId } },
      }),
    );
    if (context.values.json) printJson(context, body);
    else context.out(`Retired ${body.id} (key id ${body.keyId}).\n`);
  },
};

export const accountCommands = [
  login,
  organizers,
  organizerShow,
  walletLink,
  keysRotate,
  keysRetire,
];
