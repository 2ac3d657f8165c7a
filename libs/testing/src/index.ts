export * from './wait-for';
export * from './databases';
