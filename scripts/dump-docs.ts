import { writeFileSync } from 'node:fs';
import { exchangeDocument, ticketingDocument } from './openapi-documents.ts';
writeFileSync('/tmp/ticketing.json', JSON.stringify(await ticketingDocument(), null, 2));
writeFileSync('/tmp/exchange.json', JSON.stringify(await exchangeDocument(), null, 2));
