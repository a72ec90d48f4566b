package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
)

// runToken creates admin tokens straight in the database: it is how the
// first operator token comes to exist.
func runToken(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		fmt.Fprintln(stderr, "usage: guestpass token create (--operator | --tenant ID) [--name NAME] [--database ...] [--secret-key-file ...]")
		return errors.New("token: expected 'create'")
	}
	m := NewMain()
	m.Stdout, m.Stderr = stdout, stderr
	fs := flag.NewFlagSet("token create", flag.ContinueOnError)
	fs.SetOutput(stderr)
	operator := fs.Bool("operator", false, "a token for every tenant")
	tenant := fs.String("tenant", "", "a token for this tenant only")
	name := fs.String("name", "cli", "a label for the token")
	specs := m.Config.register(fs, "database", "secret-key-file", "log-level")
	if err := parseFlags(fs, specs, args[1:]); err != nil {
		return err
	}
	if *operator == (*tenant != "") {
		return errors.New("token create: give exactly one of --operator or --tenant ID")
	}
	if err := m.openLocal(ctx); err != nil {
		return err
	}
	defer m.Close()
	secret, t, err := m.Service.CreateAdminToken(ctx, nil, *tenant, *name)
	if err != nil {
		return err
	}
	m.Logger.Info("created admin token", "id", t.ID, "tenant", t.TenantID)
	fmt.Fprintln(stdout, secret)
	return nil
}

// runMigrate creates or upgrades the schema and reports its version.
func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	m := NewMain()
	m.Stdout, m.Stderr = stdout, stderr
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	specs := m.Config.register(fs, "database", "secret-key-file", "log-level")
	if err := parseFlags(fs, specs, args); err != nil {
		return err
	}
	if err := m.openLocal(ctx); err != nil {
		return err
	}
	defer m.Close()
	sv, ok := any(m.Store).(interface {
		SchemaVersion(context.Context) (int, error)
	})
	if !ok {
		fmt.Fprintln(stdout, "schema is up to date")
		return nil
	}
	v, err := sv.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "schema version %d\n", v)
	return nil
}

// openLocal opens the database and service without serving.
func (m *Main) openLocal(ctx context.Context) error {
	if err := m.Config.Validate(); err != nil {
		return err
	}
	m.Logger = newLogger(m.Stderr, m.Config.LogLevel)
	return m.openService(ctx)
}
