export * from '@tessera/service-kit/schemas';
