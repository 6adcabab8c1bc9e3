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
