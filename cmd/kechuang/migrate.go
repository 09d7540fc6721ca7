package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"kechuang/internal/sqldb"
)

func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	var dbf dbFlags
	dbf.register(fs)
	if err := parseFlags(fs, args, stderr); err != nil {
		return err
	}
	db, err := sqldb.Open(ctx, dbf.db, dbf.data, sqldb.Options{})
	if err != nil {
		return usageError("%v (check --db / KECHUANG_DB%s)", oneLine(err), dataHint(dbf))
	}
	defer db.Close()
	n, err := db.Migrate(ctx)
	if err != nil {
		return err
	}
	v, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "applied %d migration(s); %s schema is at version %d\n", n, db.Dialect(), v)
	return nil
}
