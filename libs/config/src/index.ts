export {
  SETTINGS,
  STRFTIME_FIELDS,
  SECRET_SETTINGS,
  KAFKA_SECURITY_SETTINGS,
  REDIS_SECURITY_SETTINGS,
  type SettingName,
  type Settings,
  type KafkaSecuritySettings,
  type RedisSecuritySettings,
} from './settings';
export { loadConfig, loadConfigOrExit, describeConfig, redactUrl, ConfigError, type LoadOptions } from './load-config';
