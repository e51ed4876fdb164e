// Type-checked by ../run.sh under tsconfig.node10.json, the compiler options `nest new` wrote
// before Nest 11 ("module": "commonjs", so moduleResolution node10, which never reads `exports`).
import { ClusterModule } from 'nest-cluster';
import { createCluster, type ClusterModuleOptions } from 'nest-cluster/core';

const options: ClusterModuleOptions = { mode: 'single', logger: false };
export const cluster = createCluster(options);
export const module = ClusterModule.forRoot(options);
