export * from './topics.ts';
export * from './schemas.ts';
export * from './errors.ts';
export * from './validate.ts';
export * from './credentials.ts';
export * from './qr.ts';
export * from './pairing.ts';
export * from './tablet.ts';
