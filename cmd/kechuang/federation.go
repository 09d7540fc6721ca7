package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"kechuang/internal/federation"
)

// runFederation implements `kechuang federation rotate-key`: the next
// federation key becomes current and a new next key is made
// (docs/FEDERATION.md §2). Peers follow at their next exchange; the server
// signs with the new key after a restart.
func runFederation(_ context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "rotate-key" {
		return usageError("federation: want `kechuang federation rotate-key [--data DIR]`")
	}
	fl := flag.NewFlagSet("federation rotate-key", flag.ContinueOnError)
	var f dbFlags
	f.register(fl)
	if err := parseFlags(fl, args[1:], stderr); err != nil {
		return err
	}
	path := filepath.Join(f.data, "federation.key")
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return usageError("federation rotate-key: %s does not exist (serve creates it at first start)", path)
	}
	if err != nil {
		return err
	}
	keys, err := federation.ParseKeys(string(b))
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	keys.Rotate()
	if err := federation.SaveKeys(path, keys); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "federation key rotated; restart serve to sign with it\ncurrent: %s\nnext:    %s\n",
		federation.Fingerprint(keys.CurrentPublic()), federation.Fingerprint(keys.NextPublic()))
	return nil
}
