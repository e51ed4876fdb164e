// require('nest-cluster') loads the CommonJS build (exports' `require` condition), so a CommonJS
// Nest app, and Jest, which cannot require() an ES module, load it as they load Nest itself.
// Run after `npm run build`; exits non-zero if require() or a basic single-mode cycle fails.
const assert = require('node:assert/strict');
const { createCluster, ClusterModule, ClusterService } = require('nest-cluster');

(async () => {
  assert.equal(typeof ClusterModule.forRoot, 'function');
  assert.equal(typeof ClusterService, 'function');
  const cluster = createCluster({ mode: 'single', nodeName: 'cjs', logger: false });
  await cluster.startUp();
  assert.equal(cluster.isLeader(), true);
  await cluster.close();
  console.log('require(nest-cluster) from CommonJS: ok');
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
