export { createCounterService, isMethod, type CounterService, type CounterServiceOptions } from './service';
export {
  applyMany,
  applyOps,
  type MutationOptions,
  type MutationRefusal,
  type MutationRefusalReason,
  type MutationRequest,
  type MutationResult,
} from './mutate';
