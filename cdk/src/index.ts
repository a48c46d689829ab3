export * from './migrations-hash';
export * from './lambda-asset';
export * from './transactional';
export * from './ratchet-migrations';
