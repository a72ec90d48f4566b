package guestpass

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"time"
)

// Passkeys runs WebAuthn ceremonies for GuestPass's one relying party: the
// base URL's host is the RP ID and the base URL its origin. Package passkey
// implements it with go-webauthn. Options go to the browser as JSON for
// navigator.credentials; State never does: the service keeps it sealed in
// an MFAChallenge between Begin and Finish.
//
// Finish methods return an error wrapping ErrPasskeyRefused when the
// browser's answer does not verify (wrong challenge, origin or RP ID, bad
// signature, a credential the user does not own, a malformed answer); any
// other error is the server's.
type Passkeys interface {
	BeginRegistration(u PasskeyUser) (options, state []byte, err error)
	FinishRegistration(u PasskeyUser, state, response []byte) (*PasskeyResult, error)
	BeginLogin(u PasskeyUser) (options, state []byte, err error)
	FinishLogin(u PasskeyUser, state, response []byte) (*PasskeyResult, error)
}

// ErrPasskeyRefused marks an answer that does not verify: the guest's
// failure (charged to the failure budget), not the server's.
var ErrPasskeyRefused = &Error{Kind: KindInvalid, Code: "passkey_refused", Message: "The passkey could not be verified."}

// PasskeyUser is a guest as a WebAuthn user of one tenant.
type PasskeyUser struct {
	Handle      []byte // opaque user handle (passkeyHandle), never personal data
	Name        string // the guest's address
	DisplayName string
	RPName      string // the tenant, shown by the authenticator when registering
	Credentials []PasskeyCredential
}

// PasskeyCredential is one registered passkey as the adapter stored it
// (Record) with the newest signature counter seen.
type PasskeyCredential struct {
	ID        []byte
	Record    []byte
	SignCount uint32
}

// PasskeyResult is a verified ceremony.
type PasskeyResult struct {
	CredentialID []byte
	Record       []byte // registration: what to store for later sign-ins
	SignCount    uint32
	// CloneWarning: the counter did not grow, so two copies of the key may
	// exist (WebAuthn §6.1.1). GuestPass refuses such a sign-in.
	CloneWarning bool
	// UserVerified: the authenticator verified its user (PIN or
	// biometric; which one it does not say).
	UserVerified bool
	// BackupEligible: the key may be synced off the device (a synced
	// passkey rather than one bound to a security key or a device).
	BackupEligible bool
}

// PasskeyCeremonyLifetime bounds a passkey ceremony from its options to its
// answer (the options' timeout is the same).
const PasskeyCeremonyLifetime = 5 * time.Minute

// maxPasskeyResponse bounds the JSON a browser may post: attestation
// certificates make registrations a few kilobytes at most.
const maxPasskeyResponse = 32 << 10

var (
	errPasskeysOff    = Errorf(KindInvalid, "passkeys_unavailable", "Passkeys are not available on this server. Use another method.")
	errNoPasskey      = Errorf(KindInvalid, "no_passkey", "You have no passkey here. Use another method.")
	errPasskeyWrong   = Errorf(KindInvalid, "passkey_refused", "The passkey could not be verified. Try again, or use another method.")
	errPasskeyExpired = Errorf(KindInvalid, "passkey_expired", "This passkey request has expired or was already used. Try again.")
	errPasskeyCloned  = Errorf(KindInvalid, "passkey_cloned", "This passkey looks copied (its counter went back), so it is refused. Use another method and tell the person who invited you.")
)

// passkeyAMR is what a passkey sign-in adds to amr (RFC 8176): hwk for a
// key held by its authenticator, swk for one that may be synced off it
// (backup eligible), and user when the authenticator also verified its
// user. Every assertion tests presence; that alone adds nothing.
func passkeyAMR(r *PasskeyResult) []string {
	amr := []string{"hwk"}
	if r.BackupEligible {
		amr[0] = "swk"
	}
	if r.UserVerified {
		amr = append(amr, "user")
	}
	return amr
}

// passkeySecret is what a passkey method's sealed Secret holds.
type passkeySecret struct {
	ID     []byte `json:"id"`
	Record []byte `json:"record"`
}

// passkeyHandle is the guest's WebAuthn user handle: stable, distinct per
// tenant, and free of personal data (authenticators may show it around).
func passkeyHandle(t *Tenant, g *Guest) []byte {
	h := sha256.Sum256([]byte("guestpass/webauthn-user:" + t.ID + ":" + g.ID))
	return h[:]
}

// passkeyUser is g with its confirmed passkeys, and those methods by
// credential id.
func (s *Service) passkeyUser(t *Tenant, g *Guest, ms []*MFAMethod) (PasskeyUser, map[string]*MFAMethod, error) {
	u := PasskeyUser{Handle: passkeyHandle(t, g), Name: g.Mail, DisplayName: cmp.Or(g.DisplayName, g.Mail), RPName: t.DisplayName}
	byID := map[string]*MFAMethod{}
	for _, m := range confirmed(ms) {
		if m.Kind != MFAPasskey {
			continue
		}
		plain, err := s.keys.Open(m.Secret, methodAD(m))
		if err != nil {
			return u, nil, internal("open passkey", err)
		}
		var sec passkeySecret
		if err := json.Unmarshal(plain, &sec); err != nil {
			return u, nil, internal("decode passkey", err)
		}
		u.Credentials = append(u.Credentials, PasskeyCredential{ID: sec.ID, Record: sec.Record, SignCount: uint32(m.LastStep)})
		byID[string(sec.ID)] = m
	}
	return u, byID, nil
}

func hasKind(ms []*MFAMethod, k MFAKind) bool {
	for _, m := range confirmed(ms) {
		if m.Kind == k {
			return true
		}
	}
	return false
}

// beginPasskey starts a ceremony bound to binding and returns its options.
func (s *Service) beginPasskey(ctx context.Context, t *Tenant, g *Guest, binding string, kind ChallengeKind, ms []*MFAMethod) ([]byte, error) {
	if s.passkeys == nil {
		return nil, errPasskeysOff
	}
	u, _, err := s.passkeyUser(t, g, ms)
	if err != nil {
		return nil, err
	}
	var options, state []byte
	if kind == ChallengePasskeyCreate {
		options, state, err = s.passkeys.BeginRegistration(u)
	} else {
		options, state, err = s.passkeys.BeginLogin(u)
	}
	if err != nil {
		return nil, internal("begin passkey", err)
	}
	now := s.clock.Now()
	c := &MFAChallenge{Binding: binding, Kind: kind, TenantID: t.ID, GuestID: g.ID, CreatedAt: now, ExpiresAt: now.Add(PasskeyCeremonyLifetime)}
	if err := s.sealChallenge(c, state); err != nil {
		return nil, err
	}
	if err := s.store.PutMFAChallenge(ctx, c); err != nil {
		return nil, internal("put challenge", err)
	}
	return options, nil
}

// finishPasskey checks a browser's answer against the ceremony bound to
// binding, which it uses up whatever the outcome. For a sign-in it returns
// the method used, after moving its counter forward.
func (s *Service) finishPasskey(ctx context.Context, t *Tenant, g *Guest, binding string, kind ChallengeKind, ms []*MFAMethod, response string) (*PasskeyResult, *MFAMethod, error) {
	if s.passkeys == nil {
		return nil, nil, errPasskeysOff
	}
	if response == "" || len(response) > maxPasskeyResponse {
		return nil, nil, errPasskeyWrong
	}
	c, err := s.store.TakeMFAChallenge(ctx, binding, kind)
	if errors.Is(err, ErrNotFound) {
		return nil, nil, errPasskeyExpired // never begun, or answered already (a replay)
	}
	if err != nil {
		return nil, nil, internal("take challenge", err)
	}
	if !c.live(t, g, s.clock.Now()) {
		return nil, nil, errPasskeyExpired
	}
	state, err := s.openChallenge(c)
	if err != nil {
		return nil, nil, err
	}
	u, byID, err := s.passkeyUser(t, g, ms)
	if err != nil {
		return nil, nil, err
	}
	var r *PasskeyResult
	if kind == ChallengePasskeyCreate {
		r, err = s.passkeys.FinishRegistration(u, state, []byte(response))
	} else {
		r, err = s.passkeys.FinishLogin(u, state, []byte(response))
	}
	if errors.Is(err, ErrPasskeyRefused) {
		s.log.Debug("passkey refused", "tenant", t.ID, "guest", g.ID, "err", err)
		return nil, nil, errPasskeyWrong
	}
	if err != nil {
		return nil, nil, internal("finish passkey", err)
	}
	if kind == ChallengePasskeyCreate {
		return r, nil, nil
	}
	m := byID[string(r.CredentialID)]
	if m == nil {
		return nil, nil, errPasskeyWrong
	}
	return r, m, s.passkeyCounter(ctx, t, m, r)
}

// passkeyCounter enforces WebAuthn's signature counter: when either side
// counts, the new value must be above every one seen, atomically so two
// racing copies of a key cannot both pass.
func (s *Service) passkeyCounter(ctx context.Context, t *Tenant, m *MFAMethod, r *PasskeyResult) error {
	if r.CloneWarning {
		s.log.Warn("passkey counter went back: possible cloned authenticator", "tenant", t.ID, "guest", m.GuestID, "method", m.ID)
		return errPasskeyCloned
	}
	if r.SignCount == 0 && m.LastStep == 0 {
		return nil // an authenticator without a counter (synced passkeys)
	}
	won, err := s.store.UseTOTPStep(ctx, t.ID, m.ID, int64(r.SignCount))
	if err != nil {
		return internal("passkey counter", err)
	}
	if !won {
		return errPasskeyCloned
	}
	return nil
}

// newPasskeyMethod makes a confirmed method of a registration (not saved).
func (s *Service) newPasskeyMethod(t *Tenant, g *Guest, r *PasskeyResult) (*MFAMethod, error) {
	id, err := s.newID()
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	m := &MFAMethod{ID: id, TenantID: t.ID, GuestID: g.ID, Kind: MFAPasskey, LastStep: int64(r.SignCount), CreatedAt: now, ConfirmedAt: now}
	plain, err := json.Marshal(passkeySecret{ID: r.CredentialID, Record: r.Record})
	if err != nil {
		return nil, internal("encode passkey", err)
	}
	if m.Secret, err = s.keys.Seal(plain, methodAD(m)); err != nil {
		return nil, internal("seal passkey", err)
	}
	return m, nil
}

// passkeyCeremony is which ceremony a flow's MFA step runs: a registration
// for a guest registering, otherwise a sign-in with a passkey, when the
// tenant accepts passkeys.
func passkeyCeremony(st *mfaStep) (ChallengeKind, error) {
	switch {
	case st.stranded:
		return "", errRecoveryFirst(st.t)
	case st.register:
		return ChallengePasskeyCreate, mayAdd(st.t, MFAPasskey)
	case !hasKind(st.usable, MFAPasskey):
		if hasKind(st.ms, MFAPasskey) {
			return "", errKindRefused(st.t)
		}
		return "", errNoPasskey
	}
	return ChallengePasskeyGet, nil
}

// PasskeyOptions begins the passkey ceremony of a flow waiting for its
// second factor (registration or sign-in, see passkeyCeremony) and returns
// the options for navigator.credentials as JSON. The ceremony state stays
// here, bound to the flow; a new call replaces the previous ceremony.
func (s *Service) PasskeyOptions(ctx context.Context, tenantID, flowToken string) ([]byte, error) {
	st, kind, err := s.passkeyFlow(ctx, tenantID, flowToken)
	if err != nil {
		return nil, err
	}
	return s.beginPasskey(ctx, st.t, st.g, flowBinding(st.flow), kind, st.ms)
}

// passkeyFlow is a flow waiting for its second factor with the passkey
// ceremony it runs.
func (s *Service) passkeyFlow(ctx context.Context, tenantID, flowToken string) (*mfaStep, ChallengeKind, error) {
	st, err := s.loadMFAStep(ctx, tenantID, flowToken)
	if err != nil {
		return nil, "", err
	}
	kind, err := passkeyCeremony(st)
	if err != nil {
		return nil, "", err
	}
	return st, kind, nil
}

// VerifyPasskeyRequest is a submitted form#passkey: the browser's
// PublicKeyCredential as JSON.
type VerifyPasskeyRequest struct {
	TenantID   string
	FlowToken  string
	Credential string
	Client     Client
}

// VerifyPasskey checks the flow's passkey ceremony and begins the session:
// a first passkey is registered (with recovery codes, shown once), a later
// one proves the second factor. Every answer, right or wrong, uses up the
// ceremony; a wrong one is charged to the guest's failure budget.
func (s *Service) VerifyPasskey(ctx context.Context, req VerifyPasskeyRequest) (*SignInResult, error) {
	st, kind, err := s.passkeyFlow(ctx, req.TenantID, req.FlowToken)
	if err != nil {
		return nil, err
	}
	t, flow, g, ms := st.t, st.flow, st.g, st.ms
	var r *PasskeyResult
	res := &SignInResult{}
	err = s.chargeCode(ctx, t, g, req.Client, "", func() error {
		var err error
		if r, _, err = s.finishPasskey(ctx, t, g, flowBinding(flow), kind, ms, req.Credential); err != nil || kind != ChallengePasskeyCreate {
			return err
		}
		m, err := s.newPasskeyMethod(t, g, r)
		if err != nil {
			return err
		}
		res.RecoveryCodes, err = s.confirmRegistration(ctx, t, g, req.Client, m)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.mfaProven(ctx, t, g, flow, req.Client, passkeyAMR(r), res)
}

// AddPasskeyOptions begins adding a passkey on the security page (a fresh
// session is needed, as for every change); the ceremony is bound to the
// session.
func (s *Service) AddPasskeyOptions(ctx context.Context, req SecurityRequest) ([]byte, error) {
	sess, t, g, ms, err := s.freshGuest(ctx, req)
	if err != nil {
		return nil, err
	}
	if err := mayAdd(t, MFAPasskey); err != nil {
		return nil, err
	}
	return s.beginPasskey(ctx, t, g, sessionBinding(sess), ChallengePasskeyCreate, ms)
}

// AddPasskey finishes adding a passkey (req.Credential) with its audit
// event and notice email. A guest's first method comes with recovery codes
// (returned, shown once).
func (s *Service) AddPasskey(ctx context.Context, req SecurityRequest) ([]string, error) {
	sess, t, g, ms, err := s.freshGuest(ctx, req)
	if err != nil {
		return nil, err
	}
	if err := mayAdd(t, MFAPasskey); err != nil {
		return nil, err
	}
	var r *PasskeyResult
	err = s.chargeCode(ctx, t, g, req.Client, "", func() error {
		var err error
		r, _, err = s.finishPasskey(ctx, t, g, sessionBinding(sess), ChallengePasskeyCreate, ms, req.Credential)
		return err
	})
	if err != nil {
		return nil, err
	}
	m, err := s.newPasskeyMethod(t, g, r)
	if err != nil {
		return nil, err
	}
	return s.addMethod(ctx, t, g, req.Client, m, len(confirmed(ms)) == 0)
}

// addMethod saves a new confirmed method from the security page, with
// recovery codes when it is the guest's first, its audit event and notice.
func (s *Service) addMethod(ctx context.Context, t *Tenant, g *Guest, c Client, m *MFAMethod, first bool) ([]string, error) {
	var plain []string
	var hashes [][]byte
	if first {
		var err error
		if plain, hashes, err = s.newRecoveryCodes(); err != nil {
			return nil, err
		}
	}
	err := s.securityChange(ctx, t, g, c, SecurityMethodAdded, m.ID, func(tx Tx) error {
		if err := s.saveMethod(ctx, tx, m); err != nil {
			return err
		}
		if hashes == nil {
			return nil
		}
		return internal("recovery codes", tx.ReplaceRecoveryCodes(ctx, t.ID, g.ID, hashes))
	})
	return plain, err
}
