/** The alert names of the product contract: rules, runbooks, dashboards and the status page use them. */
export const CONTRACT_ALERTS = [
  'LaneguardFleetIdleWhileDemand',
  'LaneguardPersistentIdle',
  'LaneguardLanesStarved',
  'LaneguardStalePause',
  'LaneguardEndpointDown',
  'LaneguardEndpointFloorNotMet',
  'LaneguardRecoveryFailing',
  'LaneguardLaneCrashLoop',
  'LaneguardCircuitOpen',
  'LaneguardWatchdogGaveUp',
  'LaneguardCycleStalled',
  'LaneguardDown',
  'LaneguardMetricsAbsent',
  'LaneguardBacklogExhausted',
  'LaneguardHeartbeatFailing',
  // Added by issue 14 (server load; SPEC §12).
  'LaneguardEndpointIdleWhileDemand',
  // Added by issue 17 (laneguard's own health; see docs/contract-changes.md).
  'LaneguardConfigReloadFailed',
  'LaneguardWebhookAuthFailing',
  // Added by issue 11 (full disk; SPEC §12 laneguard_write_errors_total).
  'LaneguardWriteErrors',
  // Added by issue 16 (stalled lanes; SPEC §12).
  'LaneguardLaneStalled',
] as const;
