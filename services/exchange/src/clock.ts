export * from '@tessera/service-kit/clock';
