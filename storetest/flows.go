package storetest

import (
	"sync"
	"testing"
	"time"

	"github.com/guestpass/guestpass"
)

func flowTests() []test {
	return []test{
		{"CreateThenGet", func(t *testing.T, s guestpass.Store) {
			want := newFlow(t, "tenant-1")
			want.CodeAttempts, want.GuestID = 2, "guest-1"
			must(t, s.CreateFlow(t.Context(), want))
			got, err := s.GetFlow(t.Context(), want.IDHash)
			must(t, err)
			equal(t, want, got)
		}},
		{"NoCodeReadsBackNil", func(t *testing.T, s guestpass.Store) {
			f := newFlow(t, "tenant-1")
			f.State, f.CodeMAC, f.CodeExpiresAt, f.CodeSentAt = guestpass.FlowStarted, nil, time.Time{}, time.Time{}
			must(t, s.CreateFlow(t.Context(), f))
			got, err := s.GetFlow(t.Context(), f.IDHash)
			must(t, err)
			if got.CodeMAC != nil {
				t.Fatalf("CodeMAC %x, want nil", got.CodeMAC)
			}
			equal(t, f, got)
		}},
		{"UnknownIsNotFound", func(t *testing.T, s guestpass.Store) {
			_, err := s.GetFlow(t.Context(), randomHash(t))
			wantErr(t, err, guestpass.ErrNotFound)
		}},
		{"DuplicateIsConflict", func(t *testing.T, s guestpass.Store) {
			f := mustFlow(t, s, "tenant-1")
			wantErr(t, s.CreateFlow(t.Context(), f), guestpass.ErrConflict)
		}},
		{"Update", func(t *testing.T, s guestpass.Store) {
			f := mustFlow(t, s, "tenant-1")
			f.Mail, f.State, f.CodeMAC, f.CodeAttempts = "al@fabrikam.com", guestpass.FlowConsent, nil, 3
			f.GuestID, f.ReturnTo, f.ExpiresAt, f.AppID = "guest-2", "", at(2*time.Hour), "app-2"
			f.StepUp = true
			f.UpstreamID, f.UpstreamState, f.UpstreamNonce, f.UpstreamVerifier = "", nil, "", nil
			must(t, s.UpdateFlow(t.Context(), f))
			got, err := s.GetFlow(t.Context(), f.IDHash)
			must(t, err)
			equal(t, f, got)
		}},
		{"UpdateUnknownIsNotFound", func(t *testing.T, s guestpass.Store) {
			wantErr(t, s.UpdateFlow(t.Context(), newFlow(t, "tenant-1")), guestpass.ErrNotFound)
		}},
		{"Delete", func(t *testing.T, s guestpass.Store) {
			f := mustFlow(t, s, "tenant-1")
			must(t, s.DeleteFlow(t.Context(), f.IDHash))
			_, err := s.GetFlow(t.Context(), f.IDHash)
			wantErr(t, err, guestpass.ErrNotFound)
			wantErr(t, s.DeleteFlow(t.Context(), f.IDHash), guestpass.ErrNotFound)
		}},
	}
}

func codeTests() []test {
	return []test{
		{"AttemptsStopAtMax", func(t *testing.T, s guestpass.Store) {
			f := mustFlow(t, s, "tenant-1")
			for want := 1; want <= 5; want++ {
				got, _, err := s.CountCodeAttempt(t.Context(), f.IDHash, 5)
				must(t, err)
				if got.CodeAttempts != want {
					t.Fatalf("attempts %d, want %d", got.CodeAttempts, want)
				}
			}
			_, _, err := s.CountCodeAttempt(t.Context(), f.IDHash, 5)
			wantErr(t, err, guestpass.ErrNotFound)
			got, err := s.GetFlow(t.Context(), f.IDHash)
			must(t, err)
			if got.CodeAttempts != 5 {
				t.Fatalf("attempts after refusal %d, want 5", got.CodeAttempts)
			}
		}},
		{"AttemptReturnsTheGuestOfTheAddress", func(t *testing.T, s guestpass.Store) {
			tn, other := mustTenant(t, s), mustTenant(t, s)
			f := mustFlow(t, s, tn.ID)
			_, g, err := s.CountCodeAttempt(t.Context(), f.IDHash, 5)
			must(t, err)
			if g != nil {
				t.Fatalf("guest %+v for an address no guest has", g)
			}
			mustGuest(t, s, other.ID, f.Mail) // another tenant's is not this flow's
			want := mustGuest(t, s, tn.ID, f.Mail)
			got, g, err := s.CountCodeAttempt(t.Context(), f.IDHash, 5)
			must(t, err)
			equal(t, want, g)
			f.CodeAttempts = 2
			equal(t, f, got)
		}},
		{"AttemptWithoutPendingCodeIsNotFound", func(t *testing.T, s guestpass.Store) {
			f := newFlow(t, "tenant-1")
			f.CodeMAC = nil
			must(t, s.CreateFlow(t.Context(), f))
			_, _, err := s.CountCodeAttempt(t.Context(), f.IDHash, 5)
			wantErr(t, err, guestpass.ErrNotFound)
			_, _, err = s.CountCodeAttempt(t.Context(), randomHash(t), 5)
			wantErr(t, err, guestpass.ErrNotFound)
		}},
		{"AttemptsExactUnderRace", func(t *testing.T, s guestpass.Store) {
			f := mustFlow(t, s, "tenant-1")
			ok := race(t, 20, func() (bool, error) {
				_, _, err := s.CountCodeAttempt(t.Context(), f.IDHash, 5)
				if guestpass.KindOf(err) == guestpass.KindNotFound {
					return false, nil
				}
				return err == nil, err
			})
			if ok != 5 {
				t.Fatalf("%d attempts counted, want 5", ok)
			}
		}},
		{"SpendOnce", func(t *testing.T, s guestpass.Store) {
			f := mustFlow(t, s, "tenant-1")
			must(t, s.Update(t.Context(), func(tx guestpass.Tx) error {
				if _, _, err := tx.CountCodeAttempt(t.Context(), f.IDHash, 5); err != nil {
					return err
				}
				return tx.SpendCode(t.Context(), f.IDHash, f.CodeMAC, guestpass.FlowConsent, "guest-1")
			}))
			got, err := s.GetFlow(t.Context(), f.IDHash)
			must(t, err)
			mac := f.CodeMAC
			f.CodeMAC, f.CodeAttempts, f.State, f.GuestID = nil, 1, guestpass.FlowConsent, "guest-1"
			equal(t, f, got)
			_, _, err = s.CountCodeAttempt(t.Context(), f.IDHash, 5)
			wantErr(t, err, guestpass.ErrNotFound)
			err = s.Update(t.Context(), func(tx guestpass.Tx) error {
				return tx.SpendCode(t.Context(), f.IDHash, mac, guestpass.FlowConsent, "guest-1")
			})
			wantErr(t, err, guestpass.ErrConflict)
		}},
		{"SpendExactlyOnceUnderRace", func(t *testing.T, s guestpass.Store) {
			f := mustFlow(t, s, "tenant-1")
			ok := race(t, 20, func() (bool, error) {
				err := s.Update(t.Context(), func(tx guestpass.Tx) error {
					if _, _, err := tx.CountCodeAttempt(t.Context(), f.IDHash, 100); err != nil {
						return err
					}
					return tx.SpendCode(t.Context(), f.IDHash, f.CodeMAC, guestpass.FlowConsent, "guest-1")
				})
				if guestpass.KindOf(err) == guestpass.KindNotFound {
					return false, nil
				}
				return err == nil, err
			})
			if ok != 1 {
				t.Fatalf("%d callers spent the code, want 1", ok)
			}
		}},
		{"SpendOfAnotherCodeFailsTheTransaction", func(t *testing.T, s guestpass.Store) {
			f := mustFlow(t, s, "tenant-1")
			old := f.CodeMAC
			f.CodeMAC = randomHash(t)
			must(t, s.UpdateFlow(t.Context(), f))
			err := s.Update(t.Context(), func(tx guestpass.Tx) error {
				if _, _, err := tx.CountCodeAttempt(t.Context(), f.IDHash, 5); err != nil {
					return err
				}
				return tx.SpendCode(t.Context(), f.IDHash, old, guestpass.FlowConsent, "guest-1")
			})
			wantErr(t, err, guestpass.ErrConflict)
			got, err := s.GetFlow(t.Context(), f.IDHash)
			must(t, err)
			equal(t, f, got) // the attempt counted before it rolled back too
		}},
		{"SpendWithoutPendingCodeFails", func(t *testing.T, s guestpass.Store) {
			f := newFlow(t, "tenant-1")
			f.CodeMAC = nil
			must(t, s.CreateFlow(t.Context(), f))
			err := s.Update(t.Context(), func(tx guestpass.Tx) error {
				return tx.SpendCode(t.Context(), f.IDHash, nil, guestpass.FlowConsent, "guest-1")
			})
			wantErr(t, err, guestpass.ErrConflict)
			got, err := s.GetFlow(t.Context(), f.IDHash)
			must(t, err)
			equal(t, f, got)
		}},
	}
}

// race runs fn from n goroutines at once and returns how many got true.
func race(tb testing.TB, n int, fn func() (bool, error)) int {
	tb.Helper()
	var (
		wg    sync.WaitGroup
		start = make(chan struct{})
		mu    sync.Mutex
		count int
		errs  []error
	)
	for range n {
		wg.Go(func() {
			<-start
			ok, err := fn()
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
			}
			if ok {
				count++
			}
		})
	}
	close(start)
	wg.Wait()
	for _, err := range errs {
		tb.Error(err)
	}
	return count
}
