// The construct lives in the installable package (cdk/ at the repository root); the example compiles its source.
export * from '../../../cdk/src/transactional';
