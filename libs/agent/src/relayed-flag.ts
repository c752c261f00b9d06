import { EventEmitter } from 'node:events';
import type { WatchedSwitch } from './agent-control';

/** A worker's capture switch: the state its primary reads from Redis, relayed over IPC. */
export class RelayedFlag extends EventEmitter<{ change: [on: boolean] }> implements WatchedSwitch {
  constructor(private on_: boolean) {
    super();
  }

  isOn(): boolean {
    return this.on_;
  }

  set(on: boolean): void {
    if (on === this.on_) return;
    this.on_ = on;
    this.emit('change', on);
  }
}
