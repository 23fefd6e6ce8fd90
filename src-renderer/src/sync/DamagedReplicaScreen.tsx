import type { DamagedReplicaDto } from '../../../src-shared/contract/sync-api';
import { syncText } from '../../../src-shared/i18n/sync.zh-CN';

const t = syncText.damaged;

/**
 * The replica failed its integrity check at start: the counter does nothing else, says what
 * it found, where the unsent ops went, and what to do, step by step.
 */
export function DamagedReplicaScreen({ damaged }: { damaged: DamagedReplicaDto }) {
  const { rescue } = damaged;
  return (
    <main className="damaged-replica" data-testid="damaged-replica">
      <h1>{t.title}</h1>
      <p role="alert">{t.detail(damaged.path, damaged.detail)}</p>
      {rescue && (
        <p className="damaged-rescue" data-testid="damaged-rescue">
          {t.rescued(rescue.path, rescue.ops)}
          {!rescue.complete && ` ${t.rescuedIncomplete}`}
        </p>
      )}
      {damaged.rescueError && <p className="damaged-rescue-failed">{t.rescueFailed(damaged.rescueError)}</p>}
      {!rescue && !damaged.rescueError && <p>{t.nothingUnsent}</p>}
      <h2>{t.stepsTitle}</h2>
      <ol>
        {t.steps(damaged.path).map((step) => (
          <li key={step}>{step}</li>
        ))}
      </ol>
    </main>
  );
}
