package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"
)

// runKeys manages the OIDC signing keys straight in the database, like
// token create: rotation is an operator's act on the shared key store, not
// a tenant's, so it has no admin API.
func runKeys(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	const use = "usage: guestpass keys rotate [--database ...] [--secret-key-file ...]"
	if len(args) == 0 || args[0] != "rotate" {
		fmt.Fprintln(stderr, use)
		return errors.New("keys: expected 'rotate'")
	}
	m := NewMain()
	m.Stdout, m.Stderr = stdout, stderr
	fs := flag.NewFlagSet("keys rotate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	specs := m.Config.register(fs, "database", "secret-key-file", "log-level")
	if err := parseFlags(fs, specs, args[1:]); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return fmt.Errorf("keys rotate: unexpected argument %q", fs.Arg(0))
	}
	if err := m.openLocal(ctx); err != nil {
		return err
	}
	defer m.Close()
	keys, err := m.Service.RotateSigningKeys(ctx)
	if err != nil {
		return err
	}
	// Public facts only: the sealed private key never leaves the database.
	type keyInfo struct {
		ID         string     `json:"id"`
		Alg        string     `json:"alg"`
		Generation int        `json:"generation"`
		ActiveFrom time.Time  `json:"activeFrom"`
		RetiredAt  *time.Time `json:"retiredAt,omitempty"`
	}
	out := make([]keyInfo, 0, len(keys))
	for _, k := range keys {
		ki := keyInfo{ID: k.ID, Alg: k.Alg, Generation: k.Generation, ActiveFrom: k.ActiveFrom.UTC()}
		if !k.RetiredAt.IsZero() {
			r := k.RetiredAt.UTC()
			ki.RetiredAt = &r
		}
		out = append(out, ki)
	}
	m.Logger.Info("rotated OIDC signing keys", "keys", len(out))
	data, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "%s\n", data)
	return err
}
