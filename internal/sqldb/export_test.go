package sqldb

// LoadMigrationsForTest exposes loadMigrations to the external test package.
var LoadMigrationsForTest = loadMigrations

// RebindForTest exposes rebind.
var RebindForTest = rebind
