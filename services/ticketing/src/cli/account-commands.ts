/** The organizer command line's account commands: sign in, and the organizers you work for. */
import { createInterface } from 'node:readline/promises';
import { UsageError } from './client.ts';
import { type Command, type Io, printJson, text, when } from './command.ts';
import { table } from './format.ts';

export const login: Command = {
  words: ['login'],
  args: '--phone <+E.164> [--code <6 digits>] [--first-name <name>]',
  summary: 'Sign in with a phone number and the SMS code; prints the token to export',
  options: {
    phone: { type: 'string' },
    code: { type: 'string' },
    'first-name': { type: 'string' },
  },
  positionals: [],
  async run(context) {
    const phone = text(context, 'phone');
    if (!/^\+[1-9][0-9]{6,14}$/.test(phone)) {
      throw new UsageError(`--phone "${phone}" is not an E.164 number such as +821012345678`);
    }
    const client = context.client();
    await client.answer(client.anonymous.POST('/v1/auth/codes', { body: { phone } }));
    let code = context.values.code as string | undefined;
    if (code === undefined) {
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
