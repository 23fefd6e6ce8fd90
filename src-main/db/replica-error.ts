/** Why a replica cannot be opened or created; the message is Chinese, fit to show as is. */
export class ReplicaError extends Error {
  constructor(
    message: string,
    /** Each problem on its own, when there are several (roster rows). */
    readonly problems: string[] = [],
  ) {
    super(message);
    this.name = 'ReplicaError';
  }
}
