/**
 * The hosted buy page (claim 6): a self-contained HTML page a merchant links to, which tops a
 * buyer's wallet up to the amount an order needs and sends the buyer back to an allowlisted
 * return URL; and the check a merchant's app runs before it sends a buyer there.
 */
import { randomBytes } from 'node:crypto';
import { Type } from 'typebox';
import type { Exchange } from '../context.ts';
import type { App } from '../http.ts';
import { ErrorBody } from '../schemas.ts';
import {
  buyErrorPageHtml,
  buyPageHeaders,
  buyPageHtml,
  checkBuyRequest,
  prefersKorean,
} from './page.ts';

const BuyQuery = Type.Object({
  merchant: Type.Optional(Type.String({ description: 'The merchant id, mer_…' })),
  asset: Type.Optional(Type.String({ description: 'The crypto asset the order is paid in' })),
  amount: Type.Optional(Type.String({ description: 'The amount the order needs, e.g. 0.0003' })),
  returnUrl: Type.Optional(
    Type.String({ description: "Where to send the buyer back; one of the merchant's prefixes" }),
  ),
});

export function buyPageRoutes(app: App, exchange: Exchange) {
  const { config } = exchange;

  app.get(
    '/v1/buy-page/check',
    {
      config: { access: 'public' },
      schema: {
        tags: ['buy page'],
        summary: 'Whether a buy page link is valid: known merchant, asset, amount, allowed return',
        querystring: BuyQuery,
        response: {
          200: Type.Object({
            allowed: Type.Boolean(),
            code: Type.Union([Type.String(), Type.Null()]),
            message: Type.Union([Type.String(), Type.Null()]),
            merchant: Type.Union([
              Type.Object({ id: Type.String(), displayName: Type.String() }),
              Type.Null(),
            ]),
          }),
          400: ErrorBody,
        },
      },
    },
    async (request) => {
      const check = await checkBuyRequest(exchange, request.query);
      return check.ok
        ? { allowed: true, code: null, message: null, merchant: check.merchant }
        : {
            allowed: false,
            code: check.code,
            message: check.message.en,
            merchant: check.merchant ?? null,
          };
    },
  );

  app.get(
    '/buy',
    {
      config: { access: 'public' },
      // Bad links get the HTML error page below, never the JSON error body.
      attachValidation: true,
      schema: {
        tags: ['buy page'],
        summary: 'The hosted buy page (HTML): sign in, buy the missing crypto, return to the shop',
        description:
          'Validated first: an unknown merchant, a bad asset or amount, or a returnUrl outside the merchant allowlist answers 400 with an HTML page, never a redirect.',
        querystring: Type.Object({
          ...BuyQuery.properties,
          reference: Type.Optional(Type.String({ description: "The merchant's order reference" })),
        }),
        produces: ['text/html'],
      },
    },
    async (request, reply) => {
      const nonce = randomBytes(16).toString('base64');
      const korean = prefersKorean(request.headers['accept-language']);
      reply.headers(buyPageHeaders(nonce));
      reply.type('text/html; charset=utf-8');
      // A failed schema check is not thrown: checkBuyRequest judges the raw query and says what
      // is wrong on the HTML page.
      const check = await checkBuyRequest(exchange, request.query, { requireReference: true });
      if (!check.ok) {
        return reply.code(400).send(buyErrorPageHtml(nonce, check, korean));
      }
      return reply.code(200).send(
        buyPageHtml(nonce, {
          merchant: check.merchant,
          asset: check.asset.code,
          scale: check.asset.scale,
          amount: check.amount,
          returnUrl: check.returnUrl,
          reference: check.reference,
          fiat: config.fiat.code,
          fiatScale: config.fiat.scale,
          sandbox: config.environment !== 'production',
        }),
      );
    },
  );
}
