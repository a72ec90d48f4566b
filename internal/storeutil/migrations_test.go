package storeutil

import (
	"io/fs"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

// TestLoadMigrations: versions sort numerically; unusable names, shared
// versions and unreadable files are refused.
func TestLoadMigrations(t *testing.T) {
	file := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	t.Run("SortsByVersion", func(t *testing.T) {
		ms, err := LoadMigrations(fstest.MapFS{
			"migrations/0010_c.sql": file("c"),
			"migrations/0002_b.sql": file("b"),
			"migrations/0001_a.sql": file("a"),
		})
		if err != nil {
			t.Fatal(err)
		}
		var got []int
		for _, m := range ms {
			got = append(got, m.Version)
		}
		if diff := cmp.Diff([]int{1, 2, 10}, got); diff != "" {
			t.Fatal(diff)
		}
	})
	for name, fsys := range map[string]fstest.MapFS{
		"NoVersion":     {"migrations/init.sql": file("")},
		"ZeroVersion":   {"migrations/0000_init.sql": file("")},
		"SharedVersion": {"migrations/0001_a.sql": file(""), "migrations/1_b.sql": file("")},
		"Unreadable":    {"migrations/0001_a.sql": &fstest.MapFile{Mode: fs.ModeDir}},
	} {
		t.Run(name+"Rejected", func(t *testing.T) {
			if _, err := LoadMigrations(fsys); err == nil {
				t.Fatal("no error")
			}
		})
	}
}
