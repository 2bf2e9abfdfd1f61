export * from '@tessera/service-kit/sms';
