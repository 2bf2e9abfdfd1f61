/**
 * The hosted buy page (claim 6): a self-contained HTML page a merchant links to, which tops a
 * buyer's wallet up to the amount an order needs and sends the buyer back to an allowlisted
 * return URL; and the check a merchant's app runs before it sends a buyer there.
 */
import { Type } from 'typebox';
import type { Exchange } from '../context.ts';
import type { App } from '../http.ts';
import { ErrorBody } from '../schemas.ts';
import { buyPageHeaders, prefersKorean } from './page.ts';
import { buyLinkCheck, newNonce, renderBuyPage } from './view.ts';

const BuyQuery = Type.Object({
  merchant: Type.Optional(Type.String({ description: 'The merchant id, mer_…' })),
  asset: Type.Optional(Type.String({ description: 'The crypto asset the order is paid in' })),
  amount: Type.Optional(Type.String({ description: 'The amount the order needs, e.g. 0.0003' })),
  returnUrl: Type.Optional(
    Type.String({ description: "Where to send the buyer back; one of the merchant's prefixes" }),
  ),
});

export function buyPageRoutes(app: App, exchange: Exchange) {
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
    (request) => buyLinkCheck(exchange, request.query),
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
        response: {
          200: htmlPage('The page'),
          400: htmlPage('The page saying what is wrong with the link'),
        },
      },
    },
    async (request, reply) => {
      const nonce = newNonce();
      const korean = prefersKorean(request.headers['accept-language']);
      reply.headers(buyPageHeaders(nonce));
      reply.type('text/html; charset=utf-8');
      // A failed schema check is not thrown: renderBuyPage judges the raw query and says what
      // is wrong on the HTML page.
      const page = await renderBuyPage(exchange, nonce, request.query, korean);
      return reply.code(page.status).send(page.html);
    },
  );
}

const htmlPage = (description: string) => ({
  description,
  content: { 'text/html': { schema: { type: 'string' } } },
});
