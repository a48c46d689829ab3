export * from './migrations-hash';
export * from './lambda-asset';
export * from './ratchet-migrations';
export * from './example-stack';
