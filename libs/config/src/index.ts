export { SETTINGS, SECRET_SETTINGS, type SettingName, type Settings } from './settings';
export { loadConfig, loadConfigOrExit, describeConfig, redactUrl, ConfigError, type LoadOptions } from './load-config';
