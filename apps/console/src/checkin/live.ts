/**
 * The dashboard's live figures: the snapshot, with the feed's events applied as they come
 * (figures.ts), re-based on each fresh snapshot. The feed opens once the first snapshot is in,
 * resuming after its `lastSeq`, and after a drop from the last seq applied. Renders are batched
 * (`renderEveryMs`): a gate load of hundreds of admissions a second redraws a few times a second,
 * not once per admission.
 */
import { useEffect, useRef, useState } from 'react';
import { useSession } from '../session.tsx';
import { type CheckinSnapshot, useCheckinSnapshot, useFeedUrl } from './api.ts';
import { followCheckinFeed } from './feed.ts';
import {
  applyAdmission,
  applyRefusal,
  type Direction,
  type Pending,
  pendingMax,
  rebase,
} from './figures.ts';

const renderEveryMs = 250;

export interface LiveCheckin {
  figures: CheckinSnapshot | undefined;
  /** The feed is open. */
  live: boolean;
  snapshot: ReturnType<typeof useCheckinSnapshot>;
}

export function useLiveCheckin(performanceId: string): LiveCheckin {
  const snapshot = useCheckinSnapshot(performanceId);
  const token = useSession().session?.token;
  const url = useFeedUrl(performanceId);
  const state = useRef<{
    figures: CheckinSnapshot | undefined;
    known: Map<string, Direction>;
    pending: Pending[];
    /** After a `reset`, events are only kept until the fresh snapshot arrives. */
    resetting: boolean;
  }>({ figures: undefined, known: new Map(), pending: [], resetting: false });
  const [figures, setFigures] = useState<CheckinSnapshot>();
  const [live, setLive] = useState(false);
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);

  const render = () => {
    if (timer.current) return;
    timer.current = setTimeout(() => {
      timer.current = undefined;
      setFigures(state.current.figures);
    }, renderEveryMs);
  };

  // A fresh snapshot: the feed's events it does not cover yet go on top of it.
  useEffect(() => {
    if (!snapshot.data) return;
    const next = rebase(snapshot.data, state.current.pending);
    state.current = { ...next, resetting: false };
    setFigures(next.figures);
  }, [snapshot.data]);

  const ready = snapshot.data !== undefined;
  // biome-ignore lint/correctness/useExhaustiveDependencies: the feed opens once per performance and session; `refetch` and `render` read refs.
  useEffect(() => {
    if (!ready || !token) return;
    const stop = followCheckinFeed({
      url,
      token,
      lastSeq: () => state.current.figures?.lastSeq,
      onState: setLive,
      onMessage: (message) => {
        const current = state.current;
        if (message.kind === 'reset') {
          // The resume point was unusable: everything retained follows; start from a fresh
          // snapshot and let its lastSeq decide what of the replay is new.
          current.pending = [];
          current.resetting = true;
          if (current.figures) current.figures = { ...current.figures, lastSeq: 0 };
          void snapshot.refetch();
          return;
        }
        current.pending.push(message);
        if (current.pending.length > pendingMax) current.pending.shift();
        if (!current.figures || current.resetting) return;
        current.figures =
          message.kind === 'admission'
            ? applyAdmission(current.figures, message.admission, current.known)
            : applyRefusal(current.figures, message.refusal);
        render();
      },
    });
    return () => {
      stop();
      clearTimeout(timer.current);
      timer.current = undefined;
    };
  }, [ready, token, url]);

  return { figures, live, snapshot };
}
