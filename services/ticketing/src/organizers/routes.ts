/**
 * Organizers (several per server), their staff and roles, their signing keys (unit 110) and the
 * link to their exchange wallet (S100, unit 114).
 */
import { Type } from 'typebox';
import { forgetKeyring } from '../admission/authenticate.ts';
import type { Ticketing } from '../context.ts';
import type { App } from '../http.ts';
import { errors, Id, iso, Phone } from '../schemas.ts';
import { forgetSigner, retireSigningKey, rotateSigningKey, signingKeyOnRecord } from './keys.ts';
import type { SigningKeyRecord } from './repository.ts';
import { Organizer, OrganizerParams, Role, SigningKey, StaffMember } from './schemas.ts';
import {
  createOrganizer,
  type OrganizerOnRecord,
  organizerOnRecord,
  removeStaff,
  setStaffRole,
  staffOfOrganizer,
} from './service.ts';
import { requireStaff } from './staff.ts';
import { linkWallet } from './wallet.ts';

export function organizerRoutes(app: App, ticketing: Ticketing) {
  organizerRecordRoutes(app, ticketing);
  staffRoutes(app, ticketing);
  walletRoute(app, ticketing);
  keyRoutes(app, ticketing);
}

function organizerBody({ organizer, wallet, keys }: OrganizerOnRecord) {
  return {
    id: organizer.id,
    name: organizer.name,
    createdAt: iso(organizer.created_at) as string,
    wallet: wallet
      ? {
          merchantId: wallet.merchant_id,
          merchantName: wallet.merchant_name,
          linkedAt: iso(wallet.linked_at) as string,
        }
      : null,
    keys: keys.map(signingKeyBody),
  };
}

function signingKeyBody(key: Omit<SigningKeyRecord, 'organizer_id' | 'seed'>) {
  return {
    id: key.id,
    keyId: key.key_id,
    publicKey: key.public_key,
    status: key.status,
    createdAt: iso(key.created_at) as string,
    retiredAt: iso(key.retired_at),
  };
}

function organizerRecordRoutes(app: App, ticketing: Ticketing) {
  app.post(
    '/v1/organizers',
    {
      config: { access: 'any' },
      schema: {
        tags: ['organizers'],
        summary:
          'Create an organizer; the caller (or ownerPhone, for the operator) becomes its owner',
        description:
          'The platform operator (naming ownerPhone); in development also any signed-in user (TICKETING_OPEN_ORGANIZER_SIGNUP, refused in production), who becomes the owner; otherwise 403 organizer_signup_closed. The organizer gets its first Ed25519 signing key.',
        body: Type.Object(
          { name: Type.String({ minLength: 1, maxLength: 100 }), ownerPhone: Type.Optional(Phone) },
          { additionalProperties: false },
        ),
        response: { 201: Organizer, ...errors },
      },
    },
    async (request, reply) => {
      const created = await createOrganizer(ticketing, request.caller, request.body);
      return reply.code(201).send(organizerBody(created));
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
      return organizerBody(await organizerOnRecord(ticketing, request.params.organizerId));
    },
  );
}

function staffRoutes(app: App, ticketing: Ticketing) {
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
      const rows = await staffOfOrganizer(ticketing, request.params.organizerId);
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
      const member = await setStaffRole(ticketing, organizerId, phone, request.body.role);
      return { ...member, createdAt: iso(member.createdAt) as string };
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
      await removeStaff(ticketing, organizerId, phone);
      return reply.code(204).send(null);
    },
  );
}

function walletRoute(app: App, ticketing: Ticketing) {
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
}

/**
 * After the commit, and before the answer: every instance signs and checks with the keys as they
 * are now.
 */
function forgetKeys(ticketing: Ticketing, organizerId: string) {
  return Promise.all([forgetSigner(ticketing, organizerId), forgetKeyring(ticketing, organizerId)]);
}

function keyRoutes(app: App, ticketing: Ticketing) {
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
      const key = await rotateSigningKey(ticketing, organizerId);
      await forgetKeys(ticketing, organizerId);
      return reply.code(201).send({
        id: key.id,
        keyId: key.keyId,
        publicKey: key.publicKey,
        status: 'active',
        createdAt: iso(key.createdAt) as string,
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
      await retireSigningKey(ticketing, organizerId, keyId);
      await forgetKeys(ticketing, organizerId);
      return signingKeyBody(await signingKeyOnRecord(ticketing, keyId));
    },
  );
}
