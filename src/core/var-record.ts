/**
 * The figures of a Monte Carlo VaR run that `risk.var_results` keeps (shared by store/ and risk/: the risk
 * engine's VarResult extends it). Losses are USD, positive; `horizon_days` calendar days.
 */
export interface VarRecord {
  var_95: number;
  var_99: number;
  cvar_95: number;
  expected_loss: number;
  worst_case: number;
  best_case: number;
  scenarios_used: number;
  simulations: number;
  simulation_time_ms: number;
  horizon_days: number;
  seed: number;
}
