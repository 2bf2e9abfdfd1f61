/** The shapes of the organizers' API: an organizer, its signing keys and its staff. */
import { Type } from 'typebox';
import { Id } from '../schemas.ts';

export const Role = Type.Union([
  Type.Literal('owner'),
  Type.Literal('manager'),
  Type.Literal('box_office'),
  Type.Literal('gate'),
]);

export const SigningKey = Type.Object({
  id: Type.String(),
  keyId: Type.String({ description: 'Hex of the 4-byte key id credentials carry' }),
  publicKey: Type.String({ description: 'Raw Ed25519 public key, base64url' }),
  status: Type.Union([Type.Literal('active'), Type.Literal('retired')]),
  createdAt: Type.String(),
  retiredAt: Type.Union([Type.String(), Type.Null()]),
});

export const Organizer = Type.Object({
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

export const StaffMember = Type.Object({
  userId: Type.String(),
  phone: Type.String(),
  firstName: Type.Union([Type.String(), Type.Null()]),
  role: Role,
  createdAt: Type.String(),
});

export const OrganizerParams = Type.Object({ organizerId: Id('org') });
