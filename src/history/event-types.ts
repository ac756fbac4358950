/**
 * History event types laneguard writes (guard and watchdog histories). Used to catch typos in
 * `history --type`; a type not listed here is still allowed (an older or newer laneguard's event).
 */
export const HISTORY_EVENT_TYPES = [
  'cycle', 'lane_unpaused', 'lane_paused', 'lane_started', 'lane_start_requested', 'lane_start_failed', 'lane_exited',
  'lane_stalled', 'lane_restarted', 'ensure_ran', 'ensure_skipped', 'escalated', 'anomaly_raised', 'anomaly_cleared',
  'endpoint_state_changed', 'capability_changed', 'alert_received', 'webhook_rejected', 'webhook_ledger_write_failed',
  'process_restarted', 'process_restart_failed', 'process_gave_up', 'process_down', 'process_recovered', 'process_reset',
  'heartbeat_changed', 'config_reloaded', 'config_reload_failed', 'history_repaired', 'state_repaired',
  'guard_started', 'guard_stopped', 'watchdog_started', 'watchdog_stopped', 'watchdog_state_repaired',
] as const;
