// Shared machinery for systems whose server is a TypeScript program: bundling it for the nodes' Node 18
// (bundleServer), its lifecycle on a node (serverLifecycle), JSON over HTTP between nodes and from the
// controller (jsonHttp), a client adapter that maps transport outcomes to ok/fail/info (httpOpClient), a local
// launcher for fast tests (localCluster), and a workload option matched to the client's workload
// (workloadOption). It uses only the public plug-in API, so a user's plugin can use it too. Server programs
// import jsonHttp.ts directly (not this file) so their bundles stay free of esbuild.
export type { ServerBundle } from './bundleServer.ts';
export type { JsonReply, JsonRoute, RequestOptions } from './jsonHttp.ts';
export type { LocalCluster, LocalClusterSpec } from './localCluster.ts';
export type {
  DaemonLifecycle,
  DaemonProgram,
  PeerServerConfig,
  ServerLifecycle,
  ServerProgram,
} from './serverLifecycle.ts';
export { bundleServer } from './bundleServer.ts';
export { completionFromReply, httpOpClient, parseCompletion } from './httpOpClient.ts';
export { JsonStatus, requestJson, serveJson } from './jsonHttp.ts';
export { freePorts, launchLocalCluster } from './localCluster.ts';
export {
  daemonLifecycle,
  nodePort,
  nodeUrl,
  peerServerConfig,
  positiveOption,
  serverLifecycle,
  serverPaths,
} from './serverLifecycle.ts';
export { withServedWorkload } from './workloadOption.ts';
