// The alert action catalogue as one record: for each `laneguard_action`, its gate (does it name a
// lane, which must be valid and known) and what an acted alert adds to the work the payload
// triggers. The dispatch (one coalesced cycle, ensure) and `replay`'s preview read that work, so a
// new action is one entry here plus, when it needs new work, one field of `ReceiverWork`.
import type { AlertAction } from '../../domain/catalogues.js';

export interface ReceiverWork {
  /** A full recovery cycle. */
  recover: boolean;
  /** Lanes named by acted `recover_lane` alerts (distinct, sorted). */
  lanes: string[];
  /** Stalled lanes named by acted `restart_lane` alerts (distinct, sorted). */
  restartLanes: string[];
  ensure: boolean;
}

/** Work being collected from a payload's acted alerts (sets until it is finished). */
export interface WorkDraft {
  recover: boolean;
  lanes: Set<string>;
  restartLanes: Set<string>;
  ensure: boolean;
}

export interface ActionSpec {
  /** The alert names one lane by its `lane` label; it acts only on a valid lane the fleet has. */
  targetsLane: boolean;
  /** Add an acted alert's work (`lane` is set for lane actions). */
  addWork(work: WorkDraft, lane: string | null): void;
}

export const ACTION_SPECS: Readonly<Record<AlertAction, ActionSpec>> = {
  recover: { targetsLane: false, addWork: (w) => void (w.recover = true) },
  recover_lane: { targetsLane: true, addWork: (w, lane) => void (lane && w.lanes.add(lane)) },
  restart_lane: {
    targetsLane: true,
    addWork: (w, lane) => void (lane && w.restartLanes.add(lane)),
  },
  ensure: { targetsLane: false, addWork: (w) => void (w.ensure = true) },
  none: { targetsLane: false, addWork: () => undefined },
};

export function emptyWork(): WorkDraft {
  return { recover: false, lanes: new Set(), restartLanes: new Set(), ensure: false };
}

export function finishWork(draft: WorkDraft): ReceiverWork {
  return {
    recover: draft.recover,
    lanes: [...draft.lanes].sort(),
    restartLanes: [...draft.restartLanes].sort(),
    ensure: draft.ensure,
  };
}
