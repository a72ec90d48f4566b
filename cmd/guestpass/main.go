package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "guestpass:", err)
		}
		os.Exit(2)
	}
}

const usage = `usage: guestpass <command> [flags]

commands:
  serve     run the service (guestpass serve --help lists every flag and its env twin)
  migrate   create or upgrade the database schema and print its version
  token     create admin tokens (token create --operator | --tenant ID)
  tenant    manage tenants through the admin API
  invite    invite a guest through the admin API
  guest     manage guests through the admin API
  app       manage applications (OIDC clients, forward-auth hosts) through the admin API
  keys      rotate the OIDC signing keys in the database (keys rotate)
  idp       manage upstream identity providers (federation) through the admin API

Run 'guestpass <command> --help' for a command's flags.
`

// run dispatches a subcommand; each owns its flags.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return flag.ErrHelp
	}
	cmds := map[string]func(context.Context, []string, io.Writer, io.Writer) error{
		"serve":   runServe,
		"migrate": runMigrate,
		"token":   runToken,
		"tenant":  runTenant,
		"invite":  runInvite,
		"guest":   runGuest,
		"app":     runApp,
		"keys":    runKeys,
		"idp":     runIDP,
	}
	if cmd, ok := cmds[args[0]]; ok {
		return cmd(ctx, args[1:], stdout, stderr)
	}
	if args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}

// runServe runs until ctx is cancelled (SIGINT/SIGTERM), then shuts down
// gracefully.
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	m := NewMain()
	m.Stdout, m.Stderr = stdout, stderr
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	specs := m.Config.register(fs)
	if err := parseFlags(fs, specs, args); err != nil {
		return err
	}
	if err := m.Run(ctx); err != nil {
		m.Close()
		return err
	}
	<-ctx.Done()
	return m.Close()
}
