/** Live alert kinds, as stored in `alerts.alerts` (migration 098) and offered by the API and MCP. */
export const ALERT_TYPES = ['depeg', 'supply_drop', 'reconcile_mismatch'] as const;
export type AlertType = (typeof ALERT_TYPES)[number];
