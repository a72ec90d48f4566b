package storetest

import (
	"context"
	"crypto/sha256"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/guestpass/guestpass"
)

func mustMethod(tb testing.TB, s guestpass.Store, g *guestpass.Guest) *guestpass.MFAMethod {
	tb.Helper()
	m := &guestpass.MFAMethod{ID: newID(tb), TenantID: g.TenantID, GuestID: g.ID, Kind: guestpass.MFATOTP,
		Secret: []byte("sealed"), CreatedAt: at(0)}
	if err := s.CreateMFAMethod(context.Background(), m); err != nil {
		tb.Fatal(err)
	}
	return m
}

func hashOf(s string) []byte { h := sha256.Sum256([]byte(s)); return h[:] }

func mfaTests() []test {
	return []test{
		{"CreateListConfirm", func(t *testing.T, s guestpass.Store) {
			tn := mustTenant(t, s)
			g := mustGuest(t, s, tn.ID, "jo@fabrikam.com")
			m := mustMethod(t, s, g)
			if err := s.ConfirmMFAMethod(t.Context(), tn.ID, m.ID, at(1)); err != nil {
				t.Fatal(err)
			}
			ms, err := s.ListMFAMethods(t.Context(), tn.ID, g.ID)
			if err != nil || len(ms) != 1 || !ms[0].ConfirmedAt.Equal(at(1)) || string(ms[0].Secret) != "sealed" || ms[0].Kind != guestpass.MFATOTP {
				t.Fatalf("list = %+v, %v", ms, err)
			}
			if ms, _ := s.ListMFAMethods(t.Context(), "other", g.ID); len(ms) != 0 {
				t.Fatal("other tenant sees methods")
			}
			if err := s.ConfirmMFAMethod(t.Context(), tn.ID, "nope", at(1)); !errors.Is(err, guestpass.ErrNotFound) {
				t.Fatalf("confirm unknown = %v", err)
			}
		}},
		{"TOTPStepWorksOnceEvenWhenRacing", func(t *testing.T, s guestpass.Store) {
			tn := mustTenant(t, s)
			m := mustMethod(t, s, mustGuest(t, s, tn.ID, "jo@fabrikam.com"))
			var wg sync.WaitGroup
			wins := make(chan bool, 8)
			for range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					ok, err := s.UseTOTPStep(context.Background(), tn.ID, m.ID, 100)
					if err != nil {
						t.Error(err)
					}
					wins <- ok
				}()
			}
			wg.Wait()
			close(wins)
			n := 0
			for ok := range wins {
				if ok {
					n++
				}
			}
			if n != 1 {
				t.Fatalf("%d callers won step 100", n)
			}
			if ok, _ := s.UseTOTPStep(t.Context(), tn.ID, m.ID, 99); ok {
				t.Fatal("older step accepted")
			}
			if ok, _ := s.UseTOTPStep(t.Context(), tn.ID, m.ID, 101); !ok {
				t.Fatal("newer step refused")
			}
		}},
		{"RecoveryCodesSingleUse", func(t *testing.T, s guestpass.Store) {
			tn := mustTenant(t, s)
			g := mustGuest(t, s, tn.ID, "jo@fabrikam.com")
			err := s.Update(t.Context(), func(tx guestpass.Tx) error {
				return tx.ReplaceRecoveryCodes(t.Context(), tn.ID, g.ID, [][]byte{hashOf("a"), hashOf("b"), hashOf("c")})
			})
			if err != nil {
				t.Fatal(err)
			}
			if ok, left, err := s.UseRecoveryCode(t.Context(), tn.ID, g.ID, hashOf("b")); !ok || left != 2 || err != nil {
				t.Fatalf("use b = %v %d %v", ok, left, err)
			}
			if ok, left, _ := s.UseRecoveryCode(t.Context(), tn.ID, g.ID, hashOf("b")); ok || left != 2 {
				t.Fatalf("b reused = %v %d", ok, left)
			}
			if ok, _, _ := s.UseRecoveryCode(t.Context(), "other", g.ID, hashOf("a")); ok {
				t.Fatal("other tenant used a code")
			}
			_ = s.Update(t.Context(), func(tx guestpass.Tx) error {
				return tx.ReplaceRecoveryCodes(t.Context(), tn.ID, g.ID, [][]byte{hashOf("d")})
			})
			if ok, _, _ := s.UseRecoveryCode(t.Context(), tn.ID, g.ID, hashOf("a")); ok {
				t.Fatal("replaced code still works")
			}
		}},
		{"OnePendingPerGuest", func(t *testing.T, s guestpass.Store) {
			tn := mustTenant(t, s)
			g := mustGuest(t, s, tn.ID, "jo@fabrikam.com")
			other := mustGuest(t, s, tn.ID, "al@fabrikam.com")
			m := mustMethod(t, s, g)
			mustMethod(t, s, other)
			second := &guestpass.MFAMethod{ID: newID(t), TenantID: tn.ID, GuestID: g.ID, Kind: guestpass.MFATOTP, Secret: []byte("x"), CreatedAt: at(1)}
			wantErr(t, s.CreateMFAMethod(t.Context(), second), guestpass.ErrConflict)
			must(t, s.ConfirmMFAMethod(t.Context(), tn.ID, m.ID, at(1)))
			must(t, s.CreateMFAMethod(t.Context(), second)) // a second method, pending beside a confirmed one
			wantErr(t, s.DeleteMFAMethod(t.Context(), tn.ID, other.ID, second.ID), guestpass.ErrNotFound)
			must(t, s.DeleteMFAMethod(t.Context(), tn.ID, g.ID, second.ID))
			wantErr(t, s.DeleteMFAMethod(t.Context(), tn.ID, g.ID, second.ID), guestpass.ErrNotFound)
			if ms, _ := s.ListMFAMethods(t.Context(), tn.ID, g.ID); len(ms) != 1 || ms[0].ID != m.ID {
				t.Fatalf("left %+v", ms)
			}
		}},
		{"PurgeRemovesStalePending", func(t *testing.T, s guestpass.Store) {
			tn := mustTenant(t, s)
			g := mustGuest(t, s, tn.ID, "jo@fabrikam.com")
			kept := mustMethod(t, s, g)
			must(t, s.ConfirmMFAMethod(t.Context(), tn.ID, kept.ID, at(1)))
			stale := mustMethod(t, s, g)
			al := mustGuest(t, s, tn.ID, "al@fabrikam.com")
			fresh := &guestpass.MFAMethod{ID: newID(t), TenantID: tn.ID, GuestID: al.ID, Kind: guestpass.MFATOTP, Secret: []byte("x"), CreatedAt: at(time.Minute)}
			must(t, s.CreateMFAMethod(t.Context(), fresh))
			_, err := s.PurgeExpired(t.Context(), at(guestpass.PendingMFALifetime))
			must(t, err)
			ms, _ := s.ListMFAMethods(t.Context(), tn.ID, g.ID)
			if len(ms) != 1 || ms[0].ID != kept.ID {
				t.Fatalf("after purge %+v (stale %s)", ms, stale.ID)
			}
			if ms, _ := s.ListMFAMethods(t.Context(), tn.ID, fresh.GuestID); len(ms) != 1 {
				t.Fatal("purge removed a fresh registration")
			}
		}},
		{"CountRecoveryCodes", func(t *testing.T, s guestpass.Store) {
			tn := mustTenant(t, s)
			g := mustGuest(t, s, tn.ID, "jo@fabrikam.com")
			must(t, s.Update(t.Context(), func(tx guestpass.Tx) error {
				return tx.ReplaceRecoveryCodes(t.Context(), tn.ID, g.ID, [][]byte{hashOf("a"), hashOf("b")})
			}))
			if n, err := s.CountRecoveryCodes(t.Context(), tn.ID, g.ID); n != 2 || err != nil {
				t.Fatalf("count = %d %v", n, err)
			}
			if n, _ := s.CountRecoveryCodes(t.Context(), "other", g.ID); n != 0 {
				t.Fatal("other tenant counts codes")
			}
		}},
		{"DeleteAndGuestDeletionRemoveAll", func(t *testing.T, s guestpass.Store) {
			tn := mustTenant(t, s)
			g := mustGuest(t, s, tn.ID, "jo@fabrikam.com")
			mustMethod(t, s, g)
			_ = s.Update(t.Context(), func(tx guestpass.Tx) error {
				return tx.ReplaceRecoveryCodes(t.Context(), tn.ID, g.ID, [][]byte{hashOf("a")})
			})
			if n, err := s.DeleteMFAMethods(t.Context(), tn.ID, g.ID); n != 1 || err != nil {
				t.Fatalf("delete = %d %v", n, err)
			}
			if ok, _, _ := s.UseRecoveryCode(t.Context(), tn.ID, g.ID, hashOf("a")); ok {
				t.Fatal("recovery code survived reset")
			}
			mustMethod(t, s, g)
			if err := s.DeleteGuest(t.Context(), tn.ID, g.ID); err != nil {
				t.Fatal(err)
			}
			if ms, _ := s.ListMFAMethods(t.Context(), tn.ID, g.ID); len(ms) != 0 {
				t.Fatal("methods survived guest deletion")
			}
		}},
	}
}
