/**
 * The MySQL/MariaDB capture tables' collation, and the writer's and the web's connection collation:
 * utf8mb4's default on MariaDB, and HOMER 5's (utf8_general_ci). Its comparisons cost the 7 text indexes
 * less than utf8mb4_unicode_ci's (one MariaDB writer: ~3 % more rows/s, bench/README.md); both compare
 * without case, as the web's searches expect. mysql2 takes it as its `charset` option too.
 */
export const MYSQL_COLLATION = 'utf8mb4_general_ci';
