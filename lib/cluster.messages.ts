/** Texts of the explorer's boot errors and warnings, kept together so they read consistently. */
export const duplicateFunction = (name: string, first: string, second: string): string =>
  `@ClusterFunction('${name}') is declared twice (${first} and ${second}); function names must be unique.`;

export const nonStaticProvider = (where: string): string =>
  `${where} uses cluster decorators but is request- or transient-scoped; it was skipped. ` +
  'Put leader jobs and cluster functions on singleton providers.';

