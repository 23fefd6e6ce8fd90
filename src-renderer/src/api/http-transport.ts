import {
  ApiError,
  changeEventSchema,
  type ApiResponse,
  type ChangeEvent,
  type CounterTransport,
  type Input,
  type Method,
  type Output,
} from '../../../src-shared/contract/counter-api';
import { zhCN } from '../../../src-shared/i18n/zh-CN';
import { unwrap } from './response';

const TOKEN_KEY = 'lixiao.token';

/**
 * The browser host hands the token in the first URL. It is moved to sessionStorage and wiped
 * from the address bar so it does not end up in screenshots or shoulder-surfed; a reload of
 * the same tab still finds it.
 */
export function takeTokenFromUrl(location: Location, history: History, storage: Storage): string {
  const url = new URL(location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    storage.setItem(TOKEN_KEY, fromUrl);
    url.searchParams.delete('token');
    history.replaceState(history.state, '', url.pathname + url.search + url.hash);
    return fromUrl;
  }
  return storage.getItem(TOKEN_KEY) ?? '';
}

/** Browser host: POST /api/call/<method> with a bearer token, change events over SSE. */
export class HttpTransport implements CounterTransport {
  private source: EventSource | null = null;
  private readonly listeners = new Set<(event: ChangeEvent) => void>();
  private readonly linkListeners = new Set<(live: boolean) => void>();

  constructor(private readonly token: string) {}

  async call<M extends Method>(method: M, input: Input<M>): Promise<Output<M>> {
    let response: Response;
    try {
      response = await fetch(`/api/call/${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.token}` },
        body: JSON.stringify(input ?? {}),
      });
    } catch {
      throw new ApiError('internal', zhCN.ui.errors.hostUnreachable);
    }
    let body: ApiResponse<unknown>;
    try {
      body = (await response.json()) as ApiResponse<unknown>;
    } catch {
      throw new ApiError(response.status === 401 ? 'unauthorized' : 'internal', zhCN.ui.errors.badReply);
    }
    return unwrap<Output<M>>(body);
  }

  subscribe(listener: (event: ChangeEvent) => void): () => void {
    this.listeners.add(listener);
    this.source ??= this.open();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) {
        this.source?.close();
        this.source = null;
      }
    };
  }

  /** Whether change events are flowing; EventSource reconnects by itself after a drop. */
  subscribeToLink(listener: (live: boolean) => void): () => void {
    this.linkListeners.add(listener);
    return () => this.linkListeners.delete(listener);
  }

  private open(): EventSource {
    const source = new EventSource(`/api/events?token=${encodeURIComponent(this.token)}`);
    source.onopen = () => this.linkListeners.forEach((l) => l(true));
    source.onerror = () => this.linkListeners.forEach((l) => l(false));
    source.onmessage = (message: MessageEvent<string>) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(message.data);
      } catch {
        return;
      }
      const event = changeEventSchema.safeParse(parsed);
      if (!event.success) return;
      for (const listener of this.listeners) listener(event.data);
    };
    return source;
  }
}
