/**
 * The organizer command line's staff commands (owner only): who works for the organizer, in
 * which role; adding someone by phone number, changing a role, taking it away.
 */
import type { TicketingAnswer } from '@tessera/api-client';
import { UsageError } from './client.ts';
import {
  type Command,
  type Context,
  organizerHelp,
  organizerOf,
  organizerOption,
  printJson,
  when,
} from './command.ts';
import { table } from './format.ts';

const roles = ['owner', 'manager', 'box_office', 'gate'] as const;
type Role = (typeof roles)[number];
type StaffMember = TicketingAnswer<'get', '/v1/organizers/{organizerId}/staff'>['staff'][number];

const rolesHelp = `  --role <role>        owner, manager, box_office or gate:
                         owner       everything, staff and the wallet included
                         manager     catalogue, sales, refunds, gates
                         box_office  sales reports and attendees
                         gate        gate terminals (enrolment codes) only`;

function phoneOf(context: Context) {
  const phone = context.positionals[0] as string;
  if (!/^\+[1-9][0-9]{6,14}$/.test(phone)) {
    throw new UsageError(`"${phone}" is not an E.164 number such as +821012345678`, context.usage);
  }
  return phone;
}

function roleOf(context: Context): Role {
  const role = context.values.role;
  if (role === undefined) throw new UsageError('--role is required', context.usage);
  if (!(roles as readonly unknown[]).includes(role)) {
    throw new UsageError(`--role takes one of ${roles.join(', ')}`, context.usage);
  }
  return role as Role;
}

async function staffOf(context: Context, organizerId: string) {
  const client = context.client();
  const { body } = await client.answer(
    client.api.GET('/v1/organizers/{organizerId}/staff', { params: { path: { organizerId } } }),
  );
  return body.staff;
}

const staffTable = (staff: readonly StaffMember[]) =>
  table(
    ['Phone', 'Name', 'Role', 'User', 'Since'],
    staff.map((m) => [m.phone, m.firstName ?? '-', m.role, m.userId, when(m.createdAt)]),
  );

export const staffList: Command = {
  words: ['staff'],
  args: '[--organizer <org_…>]',
  summary: "The organizer's staff and their roles (owner)",
  group: 'Staff',
  help: `options:
${organizerHelp}

example:
  tessera-organizer staff`,
  options: organizerOption,
  positionals: [],
  async run(context) {
    const staff = await staffOf(context, await organizerOf(context));
    if (context.values.json) printJson(context, { staff });
    else context.out(`${staffTable(staff)}\n`);
  },
};

/** PUT …/staff/:phone; `before` is the role the person had, if any. */
async function giveRole(context: Context, organizerId: string, phone: string, role: Role) {
  const client = context.client();
  const { body } = await client.answer(
    client.api.PUT('/v1/organizers/{organizerId}/staff/{phone}', {
      params: { path: { organizerId, phone } },
      body: { role },
    }),
  );
  return body;
}

export const staffAdd: Command = {
  words: ['staff', 'add'],
  args: '<+E.164> --role <role> [--organizer <org_…>]',
  summary: 'Give a phone number a role (owner); they sign in with that number',
  group: 'Staff',
  help: `options:
${rolesHelp}
${organizerHelp}
Someone who has never signed in is added too: the role is theirs at their first sign-in.

example:
  tessera-organizer staff add +821055501234 --role box_office`,
  options: { ...organizerOption, role: { type: 'string' } },
  positionals: ['phone'],
  async run(context) {
    const phone = phoneOf(context);
    const role = roleOf(context);
    const organizerId = await organizerOf(context);
    const before = (await staffOf(context, organizerId)).find((m) => m.phone === phone);
    const member = await giveRole(context, organizerId, phone, role);
    if (context.values.json) {
      printJson(context, member);
      return;
    }
    context.out(
      before
        ? before.role === role
          ? `${phone} is already ${role}.\n`
          : `${phone} was ${before.role}, is now ${role}.\n`
        : `Added ${phone} as ${role}; they sign in with \`login --phone ${phone}\`.\n`,
    );
  },
};

export const staffRole: Command = {
  words: ['staff', 'role'],
  args: '<+E.164> --role <role> [--organizer <org_…>]',
  summary: "Change a staff member's role (owner)",
  group: 'Staff',
  help: `options:
${rolesHelp}
${organizerHelp}
Only for someone already on the staff (\`staff add\` adds someone). The last owner stays owner.

example:
  tessera-organizer staff role +821055501234 --role manager`,
  options: { ...organizerOption, role: { type: 'string' } },
  positionals: ['phone'],
  async run(context) {
    const phone = phoneOf(context);
    const role = roleOf(context);
    const organizerId = await organizerOf(context);
    const staff = await staffOf(context, organizerId);
    const before = staff.find((m) => m.phone === phone);
    if (!before) {
      throw new UsageError(
        `${phone} is not on the staff (${staff.map((m) => m.phone).join(', ')}); add them with \`staff add ${phone} --role ${role}\``,
      );
    }
    const member = await giveRole(context, organizerId, phone, role);
    if (context.values.json) printJson(context, member);
    else context.out(`${phone} was ${before.role}, is now ${member.role}.\n`);
  },
};

export const staffRemove: Command = {
  words: ['staff', 'remove'],
  args: '<+E.164> [--organizer <org_…>]',
  summary: 'Take away a role (owner); the last owner cannot be removed',
  group: 'Staff',
  help: `options:
${organizerHelp}
Their sessions stay, but they can no longer act for the organizer.

example:
  tessera-organizer staff remove +821055501234`,
  options: organizerOption,
  positionals: ['phone'],
  async run(context) {
    const phone = phoneOf(context);
    const organizerId = await organizerOf(context);
    const client = context.client();
    await client.answer(
      client.api.DELETE('/v1/organizers/{organizerId}/staff/{phone}', {
        params: { path: { organizerId, phone } },
      }),
    );
    if (context.values.json) printJson(context, { organizerId, phone, removed: true });
    else context.out(`Removed ${phone} from the staff.\n`);
  },
};

export const staffCommands = [staffList, staffAdd, staffRole, staffRemove];
