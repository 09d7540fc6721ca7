package sqldb

// LoadMigrationsForTest exposes loadMigrations to the external test package.
var LoadMigrationsForTest = loadMigrations

// RebindForTest exposes rebind.
var RebindForTest = rebind

// WithSynchronous returns o with SQLite's synchronous setting overridden.
func WithSynchronous(o Options, mode string) Options {
	o.synchronous = mode
	return o
}
