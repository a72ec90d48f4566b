package storetest

import (
	"testing"
	"time"

	"github.com/guestpass/guestpass"
)

func invitationTests() []test {
	return []test{
		{"CreateThenGet", func(t *testing.T, s guestpass.Store) {
			tn := mustTenant(t, s)
			want := newInvitation(t, mustGuest(t, s, tn.ID, "jo@fabrikam.com"), at(0))
			want.RedeemedAt, want.DeliveryError = at(time.Hour), "452 mailbox full"
			must(t, s.CreateInvitation(t.Context(), want))
			got, err := s.GetInvitation(t.Context(), tn.ID, want.ID)
			must(t, err)
			equal(t, want, got)
		}},
		{"DuplicateIDIsConflict", func(t *testing.T, s guestpass.Store) {
			tn := mustTenant(t, s)
			inv := mustInvitation(t, s, mustGuest(t, s, tn.ID, "jo@fabrikam.com"), at(0))
			wantErr(t, s.CreateInvitation(t.Context(), inv), guestpass.ErrConflict)
		}},
		{"GuestOfAnotherTenantIsNotFound", func(t *testing.T, s guestpass.Store) {
			a, b := mustTenant(t, s), mustTenant(t, s)
			inv := newInvitation(t, mustGuest(t, s, a.ID, "jo@fabrikam.com"), at(0))
			inv.TenantID = b.ID
			wantErr(t, s.CreateInvitation(t.Context(), inv), guestpass.ErrNotFound)
		}},
		{"ByTicketIsScopedByTenant", func(t *testing.T, s guestpass.Store) {
			a, b := mustTenant(t, s), mustTenant(t, s)
			inv := mustInvitation(t, s, mustGuest(t, s, a.ID, "jo@fabrikam.com"), at(0))
			got, err := s.GetInvitationByTicket(t.Context(), a.ID, inv.TicketHash)
			must(t, err)
			equal(t, inv, got)
			_, err = s.GetInvitationByTicket(t.Context(), b.ID, inv.TicketHash)
			wantErr(t, err, guestpass.ErrNotFound)
			_, err = s.GetInvitation(t.Context(), b.ID, inv.ID)
			wantErr(t, err, guestpass.ErrNotFound)
			_, err = s.GetInvitationByTicket(t.Context(), a.ID, randomHash(t))
			wantErr(t, err, guestpass.ErrNotFound)
		}},
		{"LatestIsNewest", func(t *testing.T, s guestpass.Store) {
			tn := mustTenant(t, s)
			g := mustGuest(t, s, tn.ID, "jo@fabrikam.com")
			mustInvitation(t, s, g, at(0))
			newest := mustInvitation(t, s, g, at(2*time.Hour))
			mustInvitation(t, s, g, at(time.Hour))
			mustInvitation(t, s, mustGuest(t, s, tn.ID, "al@fabrikam.com"), at(3*time.Hour))
			got, err := s.LatestInvitation(t.Context(), tn.ID, g.ID)
			must(t, err)
			equal(t, newest, got)
		}},
		{"LatestWithoutInvitationIsNotFound", func(t *testing.T, s guestpass.Store) {
			tn := mustTenant(t, s)
			g := mustGuest(t, s, tn.ID, "jo@fabrikam.com")
			_, err := s.LatestInvitation(t.Context(), tn.ID, g.ID)
			wantErr(t, err, guestpass.ErrNotFound)
		}},
		{"AddressState", func(t *testing.T, s guestpass.Store) {
			tn, other := mustTenant(t, s), mustTenant(t, s)
			g := mustGuest(t, s, tn.ID, "jo@fabrikam.com")
			state := func(tenantID, mail, lockKey string) *guestpass.AddressState {
				t.Helper()
				st, err := s.AddressState(t.Context(), tenantID, mail, lockKey)
				must(t, err)
				return st
			}
			// A guest without invitation or lock.
			equal(t, &guestpass.AddressState{Guest: g}, state(tn.ID, g.Mail, "lock:x"))
			mustInvitation(t, s, g, at(0))
			newest := mustInvitation(t, s, g, at(2*time.Hour))
			mustInvitation(t, s, g, at(time.Hour))
			must(t, s.SetLock(t.Context(), "lock:x", at(3*time.Hour)))
			equal(t, &guestpass.AddressState{Guest: g, InvitationExpiresAt: newest.ExpiresAt, LockedUntil: at(3 * time.Hour)},
				state(tn.ID, g.Mail, "lock:x"))
			// No guest: the lock is still read; another tenant's guest is none.
			equal(t, &guestpass.AddressState{LockedUntil: at(3 * time.Hour)}, state(tn.ID, "al@fabrikam.com", "lock:x"))
			equal(t, &guestpass.AddressState{}, state(other.ID, g.Mail, "lock:y"))
		}},
		{"AddressStateTakingTokens", func(t *testing.T, s guestpass.Store) {
			tn := mustTenant(t, s)
			g := mustGuest(t, s, tn.ID, "jo@fabrikam.com")
			inv := mustInvitation(t, s, g, at(time.Hour))
			must(t, s.SetLock(t.Context(), "lock:x", at(3*time.Hour)))
			takes := []guestpass.TokenTake{{Key: "a", Interval: time.Minute, Burst: 2}, {Key: "b", Interval: time.Minute, Burst: 1}}
			type result struct {
				State     *guestpass.AddressState
				Refused   int
				Remaining []int
			}
			call := func(mail string) result {
				t.Helper()
				st, refused, remaining, err := s.AddressStateTakingTokens(t.Context(), tn.ID, mail, "lock:x", at(0), takes)
				must(t, err)
				return result{st, refused, remaining}
			}
			// The state is AddressState's, and the takes are as in TakeTokens:
			// the second call is refused by b and leaves nothing after it.
			equal(t, result{&guestpass.AddressState{Guest: g, InvitationExpiresAt: inv.ExpiresAt, LockedUntil: at(3 * time.Hour)}, 2, []int{1, 0}}, call(g.Mail))
			equal(t, result{&guestpass.AddressState{LockedUntil: at(3 * time.Hour)}, 1, []int{0}}, call("al@fabrikam.com"))
			equal(t, take{false, 0}, mustTake(t, s, "a", at(0), time.Minute, 2))
			// No takes read the state alone.
			st, refused, remaining, err := s.AddressStateTakingTokens(t.Context(), tn.ID, g.Mail, "lock:y", at(0), nil)
			must(t, err)
			equal(t, result{&guestpass.AddressState{Guest: g, InvitationExpiresAt: inv.ExpiresAt}, 0, []int{}}, result{st, refused, remaining})
			if _, _, _, err := s.AddressStateTakingTokens(t.Context(), tn.ID, g.Mail, "lock:x", at(0), []guestpass.TokenTake{{Key: "c", Burst: 1}}); err == nil {
				t.Fatal("interval 0 accepted")
			}
		}},
		{"Update", func(t *testing.T, s guestpass.Store) {
			tn := mustTenant(t, s)
			inv := mustInvitation(t, s, mustGuest(t, s, tn.ID, "jo@fabrikam.com"), at(0))
			inv.Status, inv.SendCount, inv.TicketHash = guestpass.InvitationCompleted, 2, randomHash(t)
			inv.LastMailID, inv.DeliveryState = newID(t), guestpass.DeliverySent
			inv.RedeemedAt, inv.UpdatedAt, inv.ExpiresAt = at(time.Hour), at(time.Hour), at(48*time.Hour)
			must(t, s.UpdateInvitation(t.Context(), inv))
			got, err := s.GetInvitation(t.Context(), tn.ID, inv.ID)
			must(t, err)
			equal(t, inv, got)
		}},
		{"UpdateUnknownIsNotFound", func(t *testing.T, s guestpass.Store) {
			tn := mustTenant(t, s)
			inv := newInvitation(t, mustGuest(t, s, tn.ID, "jo@fabrikam.com"), at(0))
			wantErr(t, s.UpdateInvitation(t.Context(), inv), guestpass.ErrNotFound)
		}},
		{"SetMailDeliveryForCurrentMail", func(t *testing.T, s guestpass.Store) {
			tn := mustTenant(t, s)
			inv := mustInvitation(t, s, mustGuest(t, s, tn.ID, "jo@fabrikam.com"), at(0))
			must(t, s.SetMailDelivery(t.Context(), tn.ID, inv.ID, inv.LastMailID, guestpass.DeliveryFailed, "550 unknown user", at(time.Minute)))
			got, err := s.GetInvitation(t.Context(), tn.ID, inv.ID)
			must(t, err)
			if got.DeliveryState != guestpass.DeliveryFailed || got.DeliveryError != "550 unknown user" {
				t.Fatalf("delivery %q %q", got.DeliveryState, got.DeliveryError)
			}
		}},
		{"SetMailDeliveryIgnoresStaleMail", func(t *testing.T, s guestpass.Store) {
			tn := mustTenant(t, s)
			inv := mustInvitation(t, s, mustGuest(t, s, tn.ID, "jo@fabrikam.com"), at(0))
			must(t, s.SetMailDelivery(t.Context(), tn.ID, inv.ID, newID(t), guestpass.DeliverySent, "", at(time.Minute)))
			got, err := s.GetInvitation(t.Context(), tn.ID, inv.ID)
			must(t, err)
			equal(t, inv, got)
		}},
		{"SetMailDeliveryOfUnknownInvitationDoesNothing", func(t *testing.T, s guestpass.Store) {
			tn := mustTenant(t, s)
			must(t, s.SetMailDelivery(t.Context(), tn.ID, newID(t), newID(t), guestpass.DeliverySent, "", at(0)))
		}},
		{"ListPagesWithinTenant", func(t *testing.T, s guestpass.Store) {
			tn, other := mustTenant(t, s), mustTenant(t, s)
			mustInvitation(t, s, mustGuest(t, s, other.ID, "x@fabrikam.com"), at(0))
			g := mustGuest(t, s, tn.ID, "jo@fabrikam.com")
			var want []string
			for i := range 3 {
				want = append(want, mustInvitation(t, s, g, at(time.Duration(i)*time.Second)).ID)
			}
			got, sizes := pages(t, 2, func(p guestpass.Page) ([]*guestpass.Invitation, string, error) {
				return s.ListInvitations(t.Context(), tn.ID, p)
			})
			equal(t, want, ids(got, func(i *guestpass.Invitation) string { return i.ID }))
			equal(t, []int{2, 1}, sizes)
		}},
	}
}
