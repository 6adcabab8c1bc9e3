export * from './report.js';
export * from './csv.js';
export * from './compliance.projection.js';
