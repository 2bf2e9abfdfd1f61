/**
 * Who is who (S100, unit 310's counterpart): sign in with a phone number and an SMS code, sign
 * out, the signed-in user, and the devices whose Ed25519 keys tickets bind to.
 */

import { isUniqueViolation } from '@tessera/db';
import { fromBase64url, toBase64url } from '@tessera/protocol';
import { conflict, notFound } from '@tessera/service-kit/errors';
import { DevelopmentSms } from '@tessera/service-kit/sms';
import { Type } from 'typebox';
import type { Ticketing } from '../context.ts';
import { type App, userOf } from '../http.ts';
import { newId } from '../ids.ts';
import { Code, ErrorBody, errors, Id, iso, Phone } from '../schemas.ts';
import { verifyDeviceProof } from './devices.ts';
import {
  consumeCode,
  createSession,
  forgetSession,
  sendCode,
  sha256,
  userForPhone,
} from './service.ts';

const User = Type.Object({
  id: Type.String(),
  phone: Type.String(),
  firstName: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
});

const Device = Type.Object({
  id: Type.String(),
  label: Type.String(),
  publicKey: Type.String({ description: 'Raw Ed25519 public key, base64url' }),
  createdAt: Type.String(),
  revokedAt: Type.Union([Type.String(), Type.Null()]),
});

const PublicKey = Type.String({
  pattern: '^[A-Za-z0-9_-]{43}$',
  description: 'base64url, 32 bytes',
});
const Signature = Type.String({
  pattern: '^[A-Za-z0-9_-]{86}$',
  description: 'base64url, 64 bytes',
});

export function identityRoutes(app: App, ticketing: Ticketing) {
  const db = ticketing.database.db;
  const guessLimit = {
    rateLimit: { max: ticketing.config.authRateLimitPerMinute, timeWindow: '1 minute' },
  };
  const userBody = (row: {
    id: string;
    phone: string;
    first_name: string | null;
    created_at: number;
  }) => ({
    id: row.id,
    phone: row.phone,
    firstName: row.first_name,
    createdAt: iso(row.created_at) as string,
  });
  const deviceBody = (row: {
    id: string;
    label: string;
    public_key: string;
    created_at: number;
    revoked_at: number | null;
  }) => ({
    id: row.id,
    label: row.label,
    publicKey: row.public_key,
    createdAt: iso(row.created_at) as string,
    revokedAt: iso(row.revoked_at),
  });

  app.post(
    '/v1/auth/codes',
    {
      config: { access: 'public', ...guessLimit },
      schema: {
        tags: ['identity'],
        summary: 'Send a sign-in code by SMS',
        description: 'Five codes per phone per hour; sign-in routes are rate limited per address.',
        body: Type.Object({ phone: Phone }, { additionalProperties: false }),
        response: {
          202: Type.Object({ expiresAt: Type.String() }),
          400: ErrorBody,
          429: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      const { expiresAt } = await sendCode(ticketing, request.body.phone);
      return reply.code(202).send({ expiresAt: iso(expiresAt) as string });
    },
  );

  app.post(
    '/v1/auth/sessions',
    {
      config: { access: 'public', ...guessLimit },
      schema: {
        tags: ['identity'],
        summary: 'Sign in (or up) with a phone and its code; returns a session token',
        description:
          'The first sign-in with a number creates the user. Tickets waiting for this number (bought for it on another device, or transferred to it) are then visible to it.',
        body: Type.Object(
          {
            phone: Phone,
            code: Code,
            firstName: Type.Optional(Type.String({ minLength: 1, maxLength: 60 })),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({ token: Type.String(), expiresAt: Type.String(), user: User }),
          ...errors,
          429: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      const { phone, code, firstName } = request.body;
      await consumeCode(ticketing, phone, code);
      const user = await userForPhone(ticketing, phone);
      const now = ticketing.clock.now();
      await db
        .updateTable('users')
        .set({
          verified_at: user.verified_at ?? now,
          ...(firstName !== undefined ? { first_name: firstName } : {}),
        })
        .where('id', '=', user.id)
        .execute();
      const session = await createSession(ticketing, user.id);
      return reply.code(201).send({
        token: session.token,
        expiresAt: iso(session.expiresAt) as string,
        user: userBody({ ...user, first_name: firstName ?? user.first_name }),
      });
    },
  );

  app.delete(
    '/v1/auth/session',
    {
      config: { access: 'user' },
      schema: {
        tags: ['identity'],
        summary: 'Sign out: this token stops working at once',
        response: { 204: Type.Null(), ...errors },
      },
    },
    async (request, reply) => {
      const token = (request.headers.authorization ?? '').slice('Bearer '.length);
      await db
        .updateTable('sessions')
        .set({ revoked_at: ticketing.clock.now() })
        .where('token_hash', '=', sha256(token))
        .execute();
      // After the write: a lookup racing the sign-out cannot put the session back.
      await forgetSession(ticketing, token);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/v1/me',
    {
      config: { access: 'user' },
      schema: {
        tags: ['identity'],
        summary: 'The signed-in user and the organizers it works for',
        response: {
          200: Type.Object({
            user: User,
            organizers: Type.Array(
              Type.Object({ id: Type.String(), name: Type.String(), role: Type.String() }),
            ),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const me = userOf(request);
      const user = await db
        .selectFrom('users')
        .selectAll()
        .where('id', '=', me.id)
        .executeTakeFirstOrThrow();
      const organizers = await db
        .selectFrom('staff as s')
        .innerJoin('organizers as o', 'o.id', 's.organizer_id')
        .select(['o.id', 'o.name', 's.role'])
        .where('s.user_id', '=', me.id)
        .orderBy('o.name')
        .execute();
      return { user: userBody(user), organizers };
    },
  );

  app.post(
    '/v1/me/devices',
    {
      config: { access: 'user' },
      schema: {
        tags: ['identity'],
        summary: "Register this device's Ed25519 public key; tickets bind to it",
        description:
          'The proof is the device\'s signature over "tessera/device-registration/v1", a zero byte, the user id and the raw public key, so nobody registers a key whose private half they do not hold. Registering the same key again answers the same device.',
        body: Type.Object(
          {
            publicKey: PublicKey,
            proof: Signature,
            label: Type.Optional(Type.String({ minLength: 1, maxLength: 60 })),
          },
          { additionalProperties: false },
        ),
        response: { 201: Device, 200: Device, ...errors },
      },
    },
    async (request, reply) => {
      const me = userOf(request);
      const publicKey = fromBase64url(request.body.publicKey, 'publicKey');
      await verifyDeviceProof(
        ticketing,
        me.id,
        publicKey,
        fromBase64url(request.body.proof, 'proof'),
      );
      const existing = await db
        .selectFrom('devices')
        .selectAll()
        .where('public_key', '=', toBase64url(publicKey))
        .executeTakeFirst();
      if (existing) {
        if (existing.user_id !== me.id || existing.revoked_at !== null) {
          throw conflict(
            'device_key_in_use',
            'this key is registered elsewhere or was revoked; make a new one',
          );
        }
        return reply.code(200).send(deviceBody(existing));
      }
      const row = {
        id: newId('dev'),
        user_id: me.id,
        public_key: toBase64url(publicKey),
        label: request.body.label ?? 'phone',
        created_at: ticketing.clock.now(),
        revoked_at: null,
      };
      try {
        await db.insertInto('devices').values(row).execute();
      } catch (error) {
        if (isUniqueViolation(error))
          throw conflict('device_key_in_use', 'this key is already registered');
        throw error;
      }
      return reply.code(201).send(deviceBody(row));
    },
  );

  app.get(
    '/v1/me/devices',
    {
      config: { access: 'user' },
      schema: {
        tags: ['identity'],
        summary: 'My devices',
        response: { 200: Type.Object({ devices: Type.Array(Device) }), ...errors },
      },
    },
    async (request) => {
      const rows = await db
        .selectFrom('devices')
        .selectAll()
        .where('user_id', '=', userOf(request).id)
        .orderBy('created_at')
        .execute();
      return { devices: rows.map(deviceBody) };
    },
  );

  app.delete(
    '/v1/me/devices/:id',
    {
      config: { access: 'user' },
      schema: {
        tags: ['identity'],
        summary: 'Revoke a device (lost or sold); reissue its tickets to another device after',
        params: Type.Object({ id: Id('dev') }),
        response: { 200: Device, ...errors },
      },
    },
    async (request) => {
      const me = userOf(request);
      await db
        .updateTable('devices')
        .set({ revoked_at: ticketing.clock.now() })
        .where('id', '=', request.params.id)
        .where('user_id', '=', me.id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      const row = await db
        .selectFrom('devices')
        .selectAll()
        .where('id', '=', request.params.id)
        .where('user_id', '=', me.id)
        .executeTakeFirst();
      if (!row) throw notFound('device');
      return deviceBody(row);
    },
  );

  if (ticketing.config.devEndpoints && ticketing.sms instanceof DevelopmentSms) {
    const sms = ticketing.sms;
    app.get(
      '/dev/sms',
      {
        config: { access: 'public' },
        schema: {
          tags: ['development'],
          summary: 'Development only: the last messages sent to a phone',
          querystring: Type.Object({ phone: Phone }),
          response: {
            200: Type.Object({
              phone: Type.String(),
              lastCode: Type.Union([Type.String(), Type.Null()]),
              messages: Type.Array(Type.Object({ text: Type.String(), at: Type.String() })),
            }),
          },
        },
      },
      async (request) => ({
        phone: request.query.phone,
        lastCode: sms.lastCode(request.query.phone) ?? null,
        messages: sms
          .messages(request.query.phone)
          .map((m) => ({ text: m.text, at: iso(m.at) as string })),
      }),
    );
  }
}
