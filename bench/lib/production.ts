/**
 * Imported first by the benches that measure the hub: the hub runs there as it runs in production
 * (NODE_ENV=production, README "Configuration"), and that must hold before anything loads graphql,
 * whose type checks take their production form only if NODE_ENV says so when it is first loaded
 * (graphql/jsutils/instanceOf.js). Express and Apollo read it too; every variant in the process
 * runs under the same setting, so the floors and the naive server are measured the same way.
 */
process.env.NODE_ENV = 'production';
