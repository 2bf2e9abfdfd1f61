import type { Vectors } from './vector-types.ts';
import base45 from './vectors/base45.json' with { type: 'json' };
import credentials from './vectors/credentials.json' with { type: 'json' };
import decisions from './vectors/decisions.json' with { type: 'json' };
import keys from './vectors/keys.json' with { type: 'json' };
import manualCodes from './vectors/manualCodes.json' with { type: 'json' };
import presentations from './vectors/presentations.json' with { type: 'json' };

export const vectors = {
  base45,
  keys,
  credentials,
  presentations,
  decisions,
  manualCodes,
} as Vectors;
