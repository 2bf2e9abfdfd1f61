/**
 * The hosted buy page (claim 6): a self-contained HTML page a merchant links to, which tops a
 * buyer's wallet up to the amount an order needs and sends the buyer back to an allowlisted
 * return URL; and the check a merchant's app runs before it sends a buyer there.
 */
import { Type } from 'typebox';
import type { Exchange } from '../context.ts';
import type { App } from '../http.ts';
import { subscriberOf } from '../http.ts';
import { ErrorBody, errors, iso } from '../schemas.ts';
import { handoffTtlMs, mintHandoff, redeemHandoff } from './handoff.ts';
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
  handoffRoutes(app, exchange);
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

const MerchantId = Type.String({
  pattern: '^mer_[0-9a-z]{8,40}$',
  description: 'The merchant id, mer_…',
});
const HandoffCode = Type.String({ pattern: '^xh_[A-Za-z0-9_-]{20,100}$' });

/** Guessable or costly: limited per client address, as sign-in is. */
const limitOf = (exchange: Exchange) => ({
  rateLimit: { max: exchange.config.authRateLimitPerMinute, timeWindow: '1 minute' },
});

/** The app hands its wallet session to the buy page without putting it in a URL (handoff.ts). */
function handoffRoutes(app: App, exchange: Exchange) {
  app.post(
    '/v1/buy-page/handoffs',
    {
      config: { access: 'person', ...limitOf(exchange) },
      schema: {
        tags: ['buy page'],
        summary:
          "A one-time code that signs the buy page in as this wallet, for one merchant's page",
        description: `The app opens the buy page with the code in the URL fragment (\`#handoff=…\`, never sent to a server); the page redeems it. Single use, valid ${handoffTtlMs / 1000} s, stored hashed, bound to this wallet, this session and the merchant. Only a signed-in session may mint one; at most a few live at once (429 rate_limited). Unknown merchant: 404.`,
        body: Type.Object({ merchant: MerchantId }, { additionalProperties: false }),
        response: {
          201: Type.Object({ code: Type.String(), expiresAt: Type.String() }),
          ...errors,
          429: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      const token = request.headers.authorization?.slice('Bearer '.length) ?? '';
      const minted = await mintHandoff(
        exchange,
        subscriberOf(request),
        token,
        request.body.merchant,
      );
      return reply
        .code(201)
        .send({ code: minted.code, expiresAt: iso(minted.expiresAt) as string });
    },
  );

  app.post(
    '/v1/buy-page/handoffs/redeem',
    {
      config: { access: 'public', ...limitOf(exchange) },
      schema: {
        tags: ['buy page'],
        summary: 'The buy page spends a handoff code for a session of its own',
        description:
          "The session ends with the app's session and within the hour. Unknown code: 404 not_found; used: 409 handoff_used; expired, or the app's session ended: 410 handoff_expired; made for another merchant: 403 handoff_wrong_merchant (the code is spent).",
        body: Type.Object(
          { code: HandoffCode, merchant: MerchantId },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({
            token: Type.String({ description: 'Bearer token for the page; shown once' }),
            expiresAt: Type.String(),
            subscriber: Type.Object({
              id: Type.String(),
              phone: Type.String(),
              displayName: Type.String(),
            }),
          }),
          ...errors,
          410: ErrorBody,
          429: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      const { session, subscriber } = await redeemHandoff(
        exchange,
        request.body.code,
        request.body.merchant,
      );
      return reply.code(201).send({
        token: session.token,
        expiresAt: iso(session.expiresAt) as string,
        subscriber: {
          id: subscriber.id,
          phone: subscriber.phone,
          displayName: subscriber.displayName,
        },
      });
    },
  );
}
