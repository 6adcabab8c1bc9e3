export {
  SERVICE_ENTRY,
  startService,
  startServiceProcess,
  type InProcessOptions,
  type InProcessService,
  type ProcessExit,
  type ServiceHarnessOptions,
  type ServiceProcess,
  type TokenExtras,
} from './service-harness';
export { holdsLease, startReplicas, type HealthAnswer, type Replica, type ReplicaSet, type ReplicaSetOptions, type ReplicaStoreKind } from './replicas';
