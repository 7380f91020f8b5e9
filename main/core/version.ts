import packageJson from '../../package.json' with { type: 'json' };

export const EDGECAB_VERSION: string = packageJson.version;
