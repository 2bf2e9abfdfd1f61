/**
 * Organizers (several per server), their staff and roles, their signing keys (unit 110) and the
 * link to their exchange wallet (S100, unit 114).
 */
import { badRequest, conflict, forbidden, notFound } from '@tessera/service-kit/errors';
import { Type } from 'typebox';
import { forgetKeyring } from '../admission/authenticate.ts';
import type { Ticketing, Trx } from '../context.ts';
import { inTransaction } from '../context.ts';
import type { StaffRole } from '../db/schema.ts';
import type { App } from '../http.ts';
import { requireUser, userForPhone } from '../identity/service.ts';
import { newId } from '../ids.ts';
import { errors, Id, iso, Phone } from '../schemas.ts';
import { addSigningKey, forgetSigner, newPhoneTagSecret } from './keys.ts';
import { requireStaff } from './staff.ts';
import { linkWallet } from './wallet.ts';

const Role = Type.Union([
  Type.Literal('owner'),
  Type.Literal('manager'),
  Type.Literal('box_office'),
  Type.Literal('gate'),
]);

const SigningKey = Type.Object({
  id: Type.String(),
  keyId: Type.String({ description: 'Hex of the 4-byte key id credentials carry' }),
  publicKey: Type.String({ description: 'Raw Ed25519 public key, base64url' }),
  status: Type.Union([Type.Literal('active'), Type.Literal('retired')]),
  createdAt: Type.String(),
  retiredAt: Type.Union([Type.String(), Type.Null()]),
});

const Organizer = Type.Object({
  id: Type.String(),
  name: Type.String(),
  createdAt: Type.String(),
  wallet: Type.Union([
    Type.Object({
      merchantId: Type.String(),
      merchantName: Type.String(),
      linkedAt: Type.String(),
    }),
    Type.Null(),
  ]),
  keys: Type.Array(SigningKey),
});

const StaffMember = Type.Object({
  userId: Type.String(),
  phone: Type.String(),
  firstName: Type.Union([Type.String(), Type.Null()]),
  role: Role,
  createdAt: Type.String(),
});

const OrganizerParams = Type.Object({ organizerId: Id('org') });

export function organizerRoutes(app: App, ticketing: Ticketing) {
  const db = ticketing.database.db;

  async function organizerBody(organizerId: string) {
    const row = await db
      .selectFrom('organizers')
      .selectAll()
      .where('id', '=', organizerId)
      .executeTakeFirst();
    if (!row) throw notFound('organizer');
    const wallet = await db
      .selectFrom('wallet_links')
      .select(['merchant_id', 'merchant_name', 'linked_at'])
      .where('organizer_id', '=', organizerId)
      .executeTakeFirst();
    const keys = await db
      .selectFrom('organizer_keys')
      .select(['id', 'key_id', 'public_key', 'status', 'created_at', 'retired_at'])
      .where('organizer_id', '=', organizerId)
      .orderBy('created_at')
      .execute();
    return {
      id: row.id,
      name: row.name,
      createdAt: iso(row.created_at) as string,
      wallet: wallet
        ? {
            merchantId: wallet.merchant_id,
            merchantName: wallet.merchant_name,
            linkedAt: iso(wallet.linked_at) as string,
          }
        : null,
      keys: keys.map((key) => ({
        id: key.id,
        keyId: key.key_id,
        publicKey: key.public_key,
        status: key.status,
        createdAt: iso(key.created_at) as string,
        retiredAt: iso(key.retired_at),
      })),
    };
  }

  app.post(
    '/v1/organizers',
    {
      config: { access: 'any' },
      schema: {
        tags: ['organizers'],
        summary:
          'Create an organizer; the caller (or ownerPhone, for the operator) becomes its owner',
        description:
          'Open to any signed-in user unless TICKETING_OPEN_ORGANIZER_SIGNUP=false, then to the platform operator only. The organizer gets its first Ed25519 signing key.',
        body: Type.Object(
          { name: Type.String({ minLength: 1, maxLength: 100 }), ownerPhone: Type.Optional(Phone) },
          { additionalProperties: false },
        ),
        response: { 201: Organizer, ...errors },
      },
    },
    async (request, reply) => {
      const principal = request.caller;
      let ownerId: string;
      if (principal?.type === 'operator') {
        if (!request.body.ownerPhone)
          throw badRequest('owner_required', 'the operator must name ownerPhone');
        ownerId = (await userForPhone(ticketing, request.body.ownerPhone)).id;
      } else {
        const user = requireUser(principal);
        if (!ticketing.config.openOrganizerSignup) {
          throw forbidden('organizers are created by the platform operator on this server');
        }
        if (request.body.ownerPhone && request.body.ownerPhone !== user.phone) {
          throw badRequest(
            'owner_is_caller',
            'ownerPhone is for the operator; you become the owner',
          );
        }
        ownerId = user.id;
      }
      const id = newId('org');
      await inTransaction(ticketing, async ({ trx, now }) => {
        await trx
          .insertInto('organizers')
          .values({
            id,
            name: request.body.name,
            phone_tag_secret: newPhoneTagSecret(ticketing, id),
            created_at: now,
          })
          .execute();
        await trx
          .insertInto('staff')
          .values({ organizer_id: id, user_id: ownerId, role: 'owner', created_at: now })
          .execute();
        await addSigningKey(ticketing, trx, id, now);
      });
      return reply.code(201).send(await organizerBody(id));
    },
  );

  app.get(
    '/v1/organizers/:organizerId',
    {
      config: { access: 'any' },
      schema: {
        tags: ['organizers'],
        summary: 'An organizer: its wallet link and signing keys (any staff role)',
        params: OrganizerParams,
        response: { 200: Organizer, ...errors },
      },
    },
    async (request) => {
      await requireStaff(ticketing, request.caller, request.params.organizerId, 'view_organizer');
      return organizerBody(request.params.organizerId);
    },
  );

  app.get(
    '/v1/organizers/:organizerId/staff',
    {
      config: { access: 'any' },
      schema: {
        tags: ['organizers'],
        summary: 'Staff and their roles (owner)',
        params: OrganizerParams,
        response: { 200: Type.Object({ staff: Type.Array(StaffMember) }), ...errors },
      },
    },
    async (request) => {
      await requireStaff(ticketing, request.caller, request.params.organizerId, 'manage_staff');
      const rows = await db
        .selectFrom('staff as s')
        .innerJoin('users as u', 'u.id', 's.user_id')
        .select(['u.id', 'u.phone', 'u.first_name', 's.role', 's.created_at'])
        .where('s.organizer_id', '=', request.params.organizerId)
        .orderBy('s.created_at')
        .execute();
      return {
        staff: rows.map((row) => ({
          userId: row.id,
          phone: row.phone,
          firstName: row.first_name,
          role: row.role,
          createdAt: iso(row.created_at) as string,
        })),
      };
    },
  );

  app.put(
    '/v1/organizers/:organizerId/staff/:phone',
    {
      config: { access: 'any' },
      schema: {
        tags: ['organizers'],
        summary: 'Give a phone number a role (owner); they sign in with that number',
        params: Type.Object({ organizerId: Id('org'), phone: Phone }),
        body: Type.Object({ role: Role }, { additionalProperties: false }),
        response: { 200: StaffMember, ...errors },
      },
    },
    async (request) => {
      const { organizerId, phone } = request.params;
      await requireStaff(ticketing, request.caller, organizerId, 'manage_staff');
      const user = await userForPhone(ticketing, phone);
      const role: StaffRole = request.body.role;
      const now = ticketing.clock.now();
      await inTransaction(ticketing, async ({ trx }) => {
        const current = await trx
          .selectFrom('staff')
          .select('role')
          .where('organizer_id', '=', organizerId)
          .where('user_id', '=', user.id)
          .executeTakeFirst();
        if (current?.role === 'owner' && role !== 'owner') await keepAnOwner(trx, organizerId);
        await trx
          .insertInto('staff')
          .values({ organizer_id: organizerId, user_id: user.id, role, created_at: now })
          .onConflict((c) => c.columns(['organizer_id', 'user_id']).doUpdateSet({ role }))
          .execute();
      });
      return {
        userId: user.id,
        phone,
        firstName: user.first_name,
        role,
        createdAt: iso(now) as string,
      };
    },
  );

  app.delete(
    '/v1/organizers/:organizerId/staff/:phone',
    {
      config: { access: 'any' },
      schema: {
        tags: ['organizers'],
        summary: 'Take away a role (owner); the last owner cannot be removed',
        params: Type.Object({ organizerId: Id('org'), phone: Phone }),
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      const { organizerId, phone } = request.params;
      await requireStaff(ticketing, request.caller, organizerId, 'manage_staff');
      await inTransaction(ticketing, async ({ trx }) => {
        const member = await trx
          .selectFrom('staff as s')
          .innerJoin('users as u', 'u.id', 's.user_id')
          .select(['s.user_id', 's.role'])
          .where('s.organizer_id', '=', organizerId)
          .where('u.phone', '=', phone)
          .executeTakeFirst();
        if (!member) throw notFound('staff member');
        if (member.role === 'owner') await keepAnOwner(trx, organizerId);
        await trx
          .deleteFrom('staff')
          .where('organizer_id', '=', organizerId)
          .where('user_id', '=', member.user_id)
          .execute();
      });
      return reply.code(204).send(null);
    },
  );

  app.put(
    '/v1/organizers/:organizerId/wallet',
    {
      config: { access: 'any' },
      schema: {
        tags: ['organizers'],
        summary: "Link the organizer's merchant wallet at the exchange (owner; S100, unit 114)",
        description:
          "Give a merchant API key (xk_…) made at the exchange. The server checks it, points the merchant's webhook here, allows the mobile app as the buy page's return address, and keeps the key sealed. Linking again replaces the link.",
        params: OrganizerParams,
        body: Type.Object(
          { apiKey: Type.String({ pattern: '^xk_[A-Za-z0-9_-]{20,100}$' }) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            merchantId: Type.String(),
            merchantName: Type.String(),
            linkedAt: Type.String(),
          }),
          ...errors,
          503: errors[400],
        },
      },
    },
    async (request) => {
      const { organizerId } = request.params;
      await requireStaff(ticketing, request.caller, organizerId, 'link_wallet');
      const linked = await linkWallet(ticketing, organizerId, request.body.apiKey);
      return { ...linked, linkedAt: iso(linked.linkedAt) as string };
    },
  );

  app.post(
    '/v1/organizers/:organizerId/keys',
    {
      config: { access: 'any' },
      schema: {
        tags: ['organizers'],
        summary: 'Rotate: add a new signing key (owner); new tickets are signed with it',
        description: 'Older keys stay valid (terminals keep them in their keyring) until retired.',
        params: OrganizerParams,
        response: { 201: SigningKey, ...errors },
      },
    },
    async (request, reply) => {
      const { organizerId } = request.params;
      await requireStaff(ticketing, request.caller, organizerId, 'manage_staff');
      const now = ticketing.clock.now();
      const key = await inTransaction(ticketing, ({ trx }) =>
        addSigningKey(ticketing, trx, organizerId, now),
      );
      // After the commit, and before the answer: every instance signs and checks with the
      // keys as they are now.
      await Promise.all([
        forgetSigner(ticketing, organizerId),
        forgetKeyring(ticketing, organizerId),
      ]);
      return reply.code(201).send({
        id: key.id,
        keyId: key.keyId,
        publicKey: key.publicKey,
        status: 'active',
        createdAt: iso(now) as string,
        retiredAt: null,
      });
    },
  );

  app.post(
    '/v1/organizers/:organizerId/keys/:keyId/retire',
    {
      config: { access: 'any' },
      schema: {
        tags: ['organizers'],
        summary:
          'Retire a signing key (owner): tickets it signed stop verifying; reissue them first',
        params: Type.Object({ organizerId: Id('org'), keyId: Id('key') }),
        response: { 200: SigningKey, ...errors },
      },
    },
    async (request) => {
      const { organizerId, keyId } = request.params;
      await requireStaff(ticketing, request.caller, organizerId, 'manage_staff');
      const now = ticketing.clock.now();
      await inTransaction(ticketing, async ({ trx }) => {
        const active = await trx
          .selectFrom('organizer_keys')
          .select('id')
          .where('organizer_id', '=', organizerId)
          .where('status', '=', 'active')
          .execute();
        if (!active.some((key) => key.id === keyId)) throw notFound('active signing key');
        if (active.length === 1)
          throw conflict('last_key', 'add a new key before retiring the last one');
        await trx
          .updateTable('organizer_keys')
          .set({ status: 'retired', retired_at: now })
          .where('id', '=', keyId)
          .execute();
      });
      // After the commit, and before the answer: every instance signs and checks with the
      // keys as they are now.
      await Promise.all([
        forgetSigner(ticketing, organizerId),
        forgetKeyring(ticketing, organizerId),
      ]);
      const key = await db
        .selectFrom('organizer_keys')
        .selectAll()
        .where('id', '=', keyId)
        .executeTakeFirstOrThrow();
      return {
        id: key.id,
        keyId: key.key_id,
        publicKey: key.public_key,
        status: key.status,
        createdAt: iso(key.created_at) as string,
        retiredAt: iso(key.retired_at),
      };
    },
  );
}

/** An organizer always keeps at least one owner, or nobody could manage it again. */
async function keepAnOwner(trx: Trx, organizerId: string) {
  const owners = await trx
    .selectFrom('staff')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('organizer_id', '=', organizerId)
    .where('role', '=', 'owner')
    .executeTakeFirstOrThrow();
  if (Number(owners.count) <= 1)
    throw conflict('last_owner', 'an organizer must keep at least one owner');
}
