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

/**
 * A replica SQLite finds damaged (quick_check, or a corrupt page met while opening). The
 * counter stops using it: a write on a damaged b-tree can lose or scramble rows.
 */
export class DamagedReplicaError extends ReplicaError {
  constructor(
    readonly path: string,
    /** What SQLite said, for the message and the administrator. */
    readonly detail: string,
  ) {
    super(`数据库文件 ${path} 已损坏（${detail}）`);
    this.name = 'DamagedReplicaError';
  }
}
