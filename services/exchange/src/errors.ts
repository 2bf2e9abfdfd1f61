export * from '@tessera/service-kit/errors';
