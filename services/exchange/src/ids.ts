export * from '@tessera/service-kit/ids';
