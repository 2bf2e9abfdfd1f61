/**
 * Who is who (S100, unit 310's counterpart): sign in with a phone number and an SMS code, sign
 * out, the signed-in user, and the devices whose Ed25519 keys tickets bind to.
 */

import { fromBase64url } from '@tessera/protocol';
import { DevelopmentSms } from '@tessera/service-kit/sms';
import { Type } from 'typebox';
import type { Ticketing } from '../context.ts';
import { type App, userOf } from '../http.ts';
import { Code, ErrorBody, errors, Id, iso, Phone } from '../schemas.ts';
import { devicesOf, registerDevice, revokeDevice } from './devices.ts';
import type { DeviceRecord, UserRecord } from './repository.ts';
import { permissionsOf } from './roles.ts';
import { Device, PublicKey, Signature, User } from './schemas.ts';
import { accountOf, sendCode, signIn, signOut } from './service.ts';

export function identityRoutes(app: App, ticketing: Ticketing) {
  signInRoutes(app, ticketing);
  accountRoutes(app, ticketing);
  deviceRoutes(app, ticketing);
  developmentSmsRoute(app, ticketing);
}

const userBody = (row: UserRecord) => ({
  id: row.id,
  phone: row.phone,
  firstName: row.first_name,
  createdAt: iso(row.created_at) as string,
});

const deviceBody = (row: DeviceRecord) => ({
  id: row.id,
  label: row.label,
  publicKey: row.public_key,
  createdAt: iso(row.created_at) as string,
  revokedAt: iso(row.revoked_at),
});

/** Sending a code, signing in with it, signing out. */
function signInRoutes(app: App, ticketing: Ticketing) {
  const guessLimit = {
    rateLimit: { max: ticketing.config.authRateLimitPerMinute, timeWindow: '1 minute' },
  };

  app.post(
    '/v1/auth/codes',
    {
      config: { access: 'public', ...guessLimit },
      schema: {
        tags: ['identity'],
        summary: 'Send a sign-in code by SMS',
        description:
          'Two codes to a number at once, then a doubling wait (30 s, 1 min, 2 min...), at most 10 a day; also limited per client address and per number prefix. 429 rate_limited carries Retry-After.',
        body: Type.Object({ phone: Phone }, { additionalProperties: false }),
        response: {
          202: Type.Object({ expiresAt: Type.String() }),
          400: ErrorBody,
          429: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      const { expiresAt } = await sendCode(ticketing, request.body.phone, request.ip);
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
      const session = await signIn(ticketing, request.body);
      return reply.code(201).send({
        token: session.token,
        expiresAt: iso(session.expiresAt) as string,
        user: userBody(session.user),
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
      await signOut(ticketing, (request.headers.authorization ?? '').slice('Bearer '.length));
      return reply.code(204).send(null);
    },
  );
}

function accountRoutes(app: App, ticketing: Ticketing) {
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
              Type.Object({
                id: Type.String(),
                name: Type.String(),
                role: Type.String(),
                permissions: Type.Array(Type.String(), {
                  description:
                    'What the role may do there (manage_staff, link_wallet, manage_catalogue, refund, view_sales, sell, admit, view_organizer); the server checks each route itself',
                }),
              }),
            ),
          }),
          ...errors,
        },
      },
    },
    async (request) => {
      const { user, organizers } = await accountOf(ticketing, userOf(request).id);
      return {
        user: userBody(user),
        organizers: organizers.map((at) => ({ ...at, permissions: permissionsOf(at.role) })),
      };
    },
  );
}

function deviceRoutes(app: App, ticketing: Ticketing) {
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
      const proof = fromBase64url(request.body.proof, 'proof');
      const { device, created } = await registerDevice(
        ticketing,
        me.id,
        publicKey,
        proof,
        request.body.label,
      );
      return reply.code(created ? 201 : 200).send(deviceBody(device));
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
      const rows = await devicesOf(ticketing, userOf(request).id);
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
    async (request) =>
      deviceBody(await revokeDevice(ticketing, userOf(request).id, request.params.id)),
  );
}

/** Development only: the SMS inbox where sign-in codes land. */
function developmentSmsRoute(app: App, ticketing: Ticketing) {
  // The configuration refuses it in production; checked here again.
  const { devEndpoints, environment } = ticketing.config;
  if (!devEndpoints || environment === 'production' || !(ticketing.sms instanceof DevelopmentSms))
    return;
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
