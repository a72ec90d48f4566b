package main

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"

	"github.com/guestpass/guestpass"
)

// loadKeys reads the secret key file, creating it (0600) on first start
// when it is the SQLite default beside the database.
func loadKeys(c *Config, log *slog.Logger) (*guestpass.Keys, error) {
	path, create, err := c.keyFile()
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) && create {
		if data, err = createKeyFile(path); err == nil {
			log.Info("created secret key file; back it up with the database", "path", path)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("secret key file: %w", err)
	}
	if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
		log.Warn("secret key file is readable by other users; chmod 600 it", "path", path)
	}
	keys, err := guestpass.ParseKeyFile(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return keys, nil
}

func createKeyFile(path string) ([]byte, error) {
	data, err := guestpass.NewKeyFile(rand.Reader)
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return nil, err
	}
	return data, f.Close()
}
