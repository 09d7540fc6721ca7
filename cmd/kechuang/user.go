package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"kechuang/internal/account"
	"kechuang/internal/app"
	"kechuang/internal/apperr"
	"kechuang/internal/i18n"
)

func runUser(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "add" {
		return usageError("user: want `kechuang user add --username NAME --role ROLE [--region CODE] --password-stdin`")
	}
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	var dbf appFlags
	dbf.register(fs)
	username := fs.String("username", "", "user name")
	role := fs.String("role", "", "role: "+rolesList())
	regionCode := fs.String("region", "", "6-digit region code (required for staff and county)")
	displayName := fs.String("name", "", "display name")
	fromStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	if err := parseFlags(fs, args[1:], stderr); err != nil {
		return err
	}
	if *username == "" || *role == "" {
		return usageError("user add: --username and --role are required")
	}
	if !account.Role(*role).Valid() {
		return usageError("user add: --role %q: want one of %s", *role, rolesList())
	}
	if !*fromStdin {
		return usageError("user add: --password-stdin is required (passwords never go on the command line)")
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && line == "" {
		return usageError("user add: no password on standard input")
	}
	password := strings.TrimRight(line, "\r\n")
	a, err := openApp(ctx, dbf, app.Config{NoIndex: true}, stderr)
	if err != nil {
		return err
	}
	defer a.DB.Close()
	u, err := a.Accounts.CreateUser(ctx, account.System, account.NewUser{Username: *username, DisplayName: *displayName,
		Role: account.Role(*role), RegionCode: *regionCode, Password: password})
	if err != nil {
		if e := apperr.As(err); e != nil && e.Kind == apperr.Invalid {
			var msgs []string
			for _, f := range e.Fields {
				msgs = append(msgs, "--"+strings.ReplaceAll(strings.TrimSuffix(f.Field, "_code"), "_", "-")+": "+i18n.T(i18n.Chinese, f.Key, f.Args...))
			}
			return usageError("user add: %s", strings.Join(msgs, "; "))
		}
		return fmt.Errorf("user add: %w", err)
	}
	fmt.Fprintf(stdout, "created user %s (id %d, role %s)\n", u.Username, u.ID, u.Role)
	return nil
}

func rolesList() string {
	var names []string
	for _, r := range account.Roles {
		names = append(names, string(r))
	}
	return strings.Join(names, ", ")
}
