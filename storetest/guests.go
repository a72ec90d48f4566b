package storetest

import (
	"testing"
	"time"

	"github.com/guestpass/guestpass"
)

func guestTests() []test {
	return []test{
		{"CreateThenGetByIDAndMail", func(t *testing.T, s guestpass.Store) {
			tn := mustTenant(t, s)
			want := newGuest(t, tn.ID, "jo@fabrikam.com", at(0))
			want.RedeemedAt, want.LastSignInAt = at(time.Minute), at(time.Hour)
			must(t, s.CreateGuest(t.Context(), want))
			got, err := s.GetGuest(t.Context(), tn.ID, want.ID)
			must(t, err)
			equal(t, want, got)
			got, err = s.GetGuestByMail(t.Context(), tn.ID, want.Mail)
			must(t, err)
			equal(t, want, got)
		}},
		{"DuplicateMailInTenantIsConflict", func(t *testing.T, s guestpass.Store) {
			tn := mustTenant(t, s)
			mustGuest(t, s, tn.ID, "jo@fabrikam.com")
			err := s.CreateGuest(t.Context(), newGuest(t, tn.ID, "jo@fabrikam.com", at(0)))
			wantErr(t, err, guestpass.ErrConflict)
		}},
		{"SameMailInTwoTenants", func(t *testing.T, s guestpass.Store) {
			a, b := mustTenant(t, s), mustTenant(t, s)
			ga := mustGuest(t, s, a.ID, "jo@fabrikam.com")
			gb := mustGuest(t, s, b.ID, "jo@fabrikam.com")
			got, err := s.GetGuestByMail(t.Context(), b.ID, "jo@fabrikam.com")
			must(t, err)
			if got.ID != gb.ID || got.ID == ga.ID {
				t.Fatalf("tenant B resolved guest %s", got.ID)
			}
		}},
		{"OtherTenantIsNotFound", func(t *testing.T, s guestpass.Store) {
			a, b := mustTenant(t, s), mustTenant(t, s)
			g := mustGuest(t, s, a.ID, "jo@fabrikam.com")
			_, err := s.GetGuest(t.Context(), b.ID, g.ID)
			wantErr(t, err, guestpass.ErrNotFound)
			_, err = s.GetGuestByMail(t.Context(), b.ID, g.Mail)
			wantErr(t, err, guestpass.ErrNotFound)
			wantErr(t, s.DeleteGuest(t.Context(), b.ID, g.ID), guestpass.ErrNotFound)
		}},
		{"UnknownTenantIsNotFound", func(t *testing.T, s guestpass.Store) {
			err := s.CreateGuest(t.Context(), newGuest(t, newID(t), "jo@fabrikam.com", at(0)))
			wantErr(t, err, guestpass.ErrNotFound)
		}},
		{"Update", func(t *testing.T, s guestpass.Store) {
			tn := mustTenant(t, s)
			g := mustGuest(t, s, tn.ID, "jo@fabrikam.com")
			g.Mail, g.DisplayName, g.State = "jo@fabrikam.de", "Jo", guestpass.GuestAccepted
			g.RedeemedAt, g.LastSignInAt, g.UpdatedAt = at(time.Hour), at(time.Hour), at(time.Hour)
			g.RedeemedWith = "https://idp.fabrikam.example"
			must(t, s.UpdateGuest(t.Context(), g))
			got, err := s.GetGuest(t.Context(), tn.ID, g.ID)
			must(t, err)
			equal(t, g, got)
		}},
		{"UpdateToTakenMailIsConflict", func(t *testing.T, s guestpass.Store) {
			tn := mustTenant(t, s)
			mustGuest(t, s, tn.ID, "a@fabrikam.com")
			g := mustGuest(t, s, tn.ID, "b@fabrikam.com")
			g.Mail = "a@fabrikam.com"
			wantErr(t, s.UpdateGuest(t.Context(), g), guestpass.ErrConflict)
		}},
		{"UpdateUnknownIsNotFound", func(t *testing.T, s guestpass.Store) {
			tn := mustTenant(t, s)
			err := s.UpdateGuest(t.Context(), newGuest(t, tn.ID, "jo@fabrikam.com", at(0)))
			wantErr(t, err, guestpass.ErrNotFound)
		}},
		{"ListFiltersByState", func(t *testing.T, s guestpass.Store) {
			tn, other := mustTenant(t, s), mustTenant(t, s)
			mustGuest(t, s, other.ID, "x@fabrikam.com")
			var all, accepted []string
			for i, mail := range []string{"a@x.com", "b@x.com", "c@x.com"} {
				g := newGuest(t, tn.ID, mail, at(time.Duration(i)*time.Second))
				if i != 1 {
					g.State = guestpass.GuestAccepted
					accepted = append(accepted, g.ID)
				}
				must(t, s.CreateGuest(t.Context(), g))
				all = append(all, g.ID)
			}
			for state, want := range map[guestpass.GuestState][]string{"": all, guestpass.GuestAccepted: accepted, guestpass.GuestDisabled: nil} {
				got, _ := pages(t, 1, func(p guestpass.Page) ([]*guestpass.Guest, string, error) {
					return s.ListGuests(t.Context(), tn.ID, state, p)
				})
				equal(t, want, ids(got, func(g *guestpass.Guest) string { return g.ID }))
			}
		}},
		{"ListDefaultLimitIs100", func(t *testing.T, s guestpass.Store) {
			tn := mustTenant(t, s)
			err := s.Update(t.Context(), func(tx guestpass.Tx) error {
				for i := range 101 {
					g := newGuest(t, tn.ID, newID(t)+"@x.com", at(time.Duration(i)*time.Second))
					if err := tx.CreateGuest(t.Context(), g); err != nil {
						return err
					}
				}
				return nil
			})
			must(t, err)
			got, next, err := s.ListGuests(t.Context(), tn.ID, "", guestpass.Page{})
			must(t, err)
			if len(got) != 100 || next == "" {
				t.Fatalf("first page: %d guests, next %q", len(got), next)
			}
			got, next, err = s.ListGuests(t.Context(), tn.ID, "", guestpass.Page{After: next})
			must(t, err)
			if len(got) != 1 || next != "" {
				t.Fatalf("second page: %d guests, next %q", len(got), next)
			}
		}},
		{"DeleteCascades", func(t *testing.T, s guestpass.Store) {
			tn := mustTenant(t, s)
			g, other := mustGuest(t, s, tn.ID, "jo@fabrikam.com"), mustGuest(t, s, tn.ID, "al@fabrikam.com")
			inv, otherInv := mustInvitation(t, s, g, at(0)), mustInvitation(t, s, other, at(0))
			sess, otherSess := mustSession(t, s, g, at(time.Hour)), mustSession(t, s, other, at(time.Hour))
			must(t, s.DeleteGuest(t.Context(), tn.ID, g.ID))
			_, err := s.GetGuest(t.Context(), tn.ID, g.ID)
			wantErr(t, err, guestpass.ErrNotFound)
			_, err = s.GetInvitation(t.Context(), tn.ID, inv.ID)
			wantErr(t, err, guestpass.ErrNotFound)
			_, err = s.GetSession(t.Context(), sess.TokenHash)
			wantErr(t, err, guestpass.ErrNotFound)
			_, err = s.GetInvitation(t.Context(), tn.ID, otherInv.ID)
			must(t, err)
			_, err = s.GetSession(t.Context(), otherSess.TokenHash)
			must(t, err)
		}},
		{"DeleteUnknownIsNotFound", func(t *testing.T, s guestpass.Store) {
			tn := mustTenant(t, s)
			wantErr(t, s.DeleteGuest(t.Context(), tn.ID, newID(t)), guestpass.ErrNotFound)
		}},
	}
}
