package guestpass

import (
	"context"
	"slices"
	"strings"
)

// The tenant's mfaMethods decide which kinds of second factor its guests
// may set up and sign in with. A method of a kind the tenant no longer
// accepts stays stored (it counts again if the kind comes back) but proves
// nothing. A guest left with no accepted method is "stranded": a recovery
// code, the fallback for a lost factor, stands in for the second factor
// once, and then the guest must register an accepted method before the
// session begins. Registering without it would let anyone holding the
// mailbox replace the guest's second factor the moment a policy changes.

// mfaStep is a flow waiting for its second factor, read once per request:
// the guest's methods and what the tenant's mfaMethods make of them.
type mfaStep struct {
	t    *Tenant
	flow *Flow
	g    *Guest
	ms   []*MFAMethod // every row, pending ones too
	// usable are the confirmed methods of kinds the tenant accepts.
	usable []*MFAMethod
	// register: the guest sets up a method (none is confirmed, or a
	// recovery code stood in for methods of kinds no longer accepted).
	register bool
	// stranded: confirmed methods, none of an accepted kind, and no
	// recovery code used in this flow yet: only a recovery code gets on.
	stranded bool
}

func newMFAStep(t *Tenant, flow *Flow, g *Guest, ms []*MFAMethod) *mfaStep {
	live := confirmed(ms)
	st := &mfaStep{t: t, flow: flow, g: g, ms: ms, usable: accepted(t, live)}
	switch {
	case flow.State == FlowMFARegister || len(live) == 0:
		st.register = true
	case len(st.usable) == 0:
		st.stranded = true
	}
	return st
}

func (s *Service) loadMFAStep(ctx context.Context, tenantID, flowToken string) (*mfaStep, error) {
	t, flow, g, err := s.mfaFlow(ctx, tenantID, flowToken)
	if err != nil {
		return nil, err
	}
	ms, err := s.store.ListMFAMethods(ctx, t.ID, g.ID)
	if err != nil {
		return nil, internal("list mfa methods", err)
	}
	return newMFAStep(t, flow, g, ms), nil
}

// accepted are the confirmed methods among ms of kinds t accepts.
func accepted(t *Tenant, ms []*MFAMethod) []*MFAMethod {
	var out []*MFAMethod
	for _, m := range confirmed(ms) {
		if t.MFAAllowed(m.Kind) {
			out = append(out, m)
		}
	}
	return out
}

// serverKinds lists the kinds this server can run: TOTP always, passkeys
// with a relying party, SMS with a provider.
func (s *Service) serverKinds() []MFAKind {
	return slices.DeleteFunc(AllMFAKinds(), func(k MFAKind) bool {
		return k == MFAPasskey && s.passkeys == nil || k == MFASMS && s.texts == nil
	})
}

// offers reports whether a guest of t may set up kind here: the tenant
// accepts it and this server can run it.
func (s *Service) offers(t *Tenant, kind MFAKind) bool {
	return t.MFAAllowed(kind) && slices.Contains(s.serverKinds(), kind)
}

// offered lists the kinds a guest of t may set up here.
func (s *Service) offered(t *Tenant) []MFAKind {
	return slices.DeleteFunc(s.serverKinds(), func(k MFAKind) bool { return !t.MFAAllowed(k) })
}

// checkOffered refuses a tenant whose mfaMethods this server cannot run at
// all (passkeys without a relying party, SMS without a provider): a guest
// who must register would find nothing to register.
func (s *Service) checkOffered(t *Tenant) error {
	if len(s.offered(t)) > 0 {
		return nil
	}
	here := make([]string, 0, 3)
	for _, k := range s.serverKinds() {
		here = append(here, string(k))
	}
	return Errorf(KindInvalid, "invalid_setting", "mfaMethods: this server offers none of these kinds; it offers %s", strings.Join(here, ", "))
}

// mayAdd refuses setting up a kind the tenant does not accept.
func mayAdd(t *Tenant, kind MFAKind) error {
	if !t.MFAAllowed(kind) {
		return errKindRefused(t)
	}
	return nil
}

func errKindRefused(t *Tenant) error {
	return Errorf(KindForbidden, "mfa_method_not_allowed", "%s does not accept this kind of second factor. Use another method.", t.DisplayName)
}

func errRecoveryFirst(t *Tenant) error {
	return Errorf(KindInvalid, "recovery_code_required", "%s no longer accepts the second factors you have. Enter one of your recovery codes, then set up one it accepts.", t.DisplayName)
}

func errNoMFAKind(t *Tenant) error {
	return Errorf(KindForbidden, "mfa_unavailable", "%s requires a second factor, but none of the kinds it accepts is available here. Contact the person who invited you.", t.DisplayName)
}

// canRemove: a guest keeps at least one method, and one the tenant
// accepts when they have one; the rest may go.
func canRemove(t *Tenant, live []*MFAMethod, id string) bool {
	rest := slices.DeleteFunc(slices.Clone(live), func(m *MFAMethod) bool { return m.ID == id })
	return len(rest) > 0 && (len(accepted(t, rest)) > 0 || len(accepted(t, live)) == 0)
}
