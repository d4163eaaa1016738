/** Analytics: pure math over Float64Array. No I/O here; analytics/service.ts wires it to the store. */
export * from './correlation.ts';
export * from './depeg.ts';
export * from './indicators/index.ts';
export * from './pairs.ts';
export * from './returns.ts';
