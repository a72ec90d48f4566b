package passkey

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
	"github.com/guestpass/guestpass"
)

// ErrNoRPID is returned by New for a base URL whose host is an IP address:
// WebAuthn binds credentials to a domain (RP ID), so such a server cannot
// offer passkeys. Use a name, such as localhost, in the base URL.
var ErrNoRPID = errors.New("passkey: the base URL's host is an IP address, which cannot be a WebAuthn RP ID")

// RP is GuestPass as a WebAuthn relying party. It is safe for concurrent use.
type RP struct {
	wa *webauthn.WebAuthn
}

var _ guestpass.Passkeys = (*RP)(nil)

// New makes the relying party of baseURL (GuestPass's --base-url).
func New(baseURL string) (*RP, error) {
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Hostname() == "" {
		return nil, fmt.Errorf("passkey: base URL %q is not an absolute http(s) URL", baseURL)
	}
	if net.ParseIP(u.Hostname()) != nil {
		return nil, ErrNoRPID
	}
	wa, err := webauthn.New(&webauthn.Config{
		RPID:          u.Hostname(),
		RPDisplayName: "GuestPass", // replaced by the tenant's name in each registration
		RPOrigins:     []string{u.Scheme + "://" + u.Host},
		// No attestation: GuestPass does not restrict authenticator models,
		// and "none" keeps guests from a privacy prompt.
		AttestationPreference: protocol.PreferNoAttestation,
		AuthenticatorSelection: protocol.AuthenticatorSelection{
			ResidentKey:      protocol.ResidentKeyRequirementPreferred,
			UserVerification: protocol.VerificationPreferred,
		},
		Timeouts: webauthn.TimeoutsConfig{
			Login:        webauthn.TimeoutConfig{Timeout: guestpass.PasskeyCeremonyLifetime, TimeoutUVD: guestpass.PasskeyCeremonyLifetime},
			Registration: webauthn.TimeoutConfig{Timeout: guestpass.PasskeyCeremonyLifetime, TimeoutUVD: guestpass.PasskeyCeremonyLifetime},
		},
	})
	if err != nil {
		return nil, fmt.Errorf("passkey: %w", err)
	}
	return &RP{wa: wa}, nil
}

// user is a guestpass.PasskeyUser as go-webauthn's User.
type user struct {
	u     guestpass.PasskeyUser
	creds []webauthn.Credential
}

func (u *user) WebAuthnID() []byte                         { return u.u.Handle }
func (u *user) WebAuthnName() string                       { return u.u.Name }
func (u *user) WebAuthnDisplayName() string                { return u.u.DisplayName }
func (u *user) WebAuthnCredentials() []webauthn.Credential { return u.creds }

// newUser decodes the stored records, with the newest counters the service
// has seen (the records keep the one of their registration).
func newUser(pu guestpass.PasskeyUser) (*user, error) {
	u := &user{u: pu}
	for _, c := range pu.Credentials {
		var cred webauthn.Credential
		if err := json.Unmarshal(c.Record, &cred); err != nil {
			return nil, fmt.Errorf("passkey: stored credential: %w", err)
		}
		cred.Authenticator.SignCount = c.SignCount
		u.creds = append(u.creds, cred)
	}
	return u, nil
}

func refused(err error) error {
	var pe *protocol.Error
	if errors.As(err, &pe) && pe.DevInfo != "" {
		return fmt.Errorf("%w: %v (%s)", guestpass.ErrPasskeyRefused, err, pe.DevInfo)
	}
	return fmt.Errorf("%w: %v", guestpass.ErrPasskeyRefused, err)
}

// BeginRegistration asks for a new credential for the tenant (named in the
// options), excluding the guest's existing ones so one authenticator is
// not registered twice.
func (rp *RP) BeginRegistration(pu guestpass.PasskeyUser) ([]byte, []byte, error) {
	u, err := newUser(pu)
	if err != nil {
		return nil, nil, err
	}
	creation, session, err := rp.wa.BeginRegistration(u,
		webauthn.WithExclusions(webauthn.Credentials(u.creds).CredentialDescriptors()),
		webauthn.WithRegistrationRelyingPartyName(pu.RPName))
	if err != nil {
		return nil, nil, fmt.Errorf("passkey: begin registration: %w", err)
	}
	return marshalPair(creation, session)
}

// FinishRegistration verifies the attestation response against state.
func (rp *RP) FinishRegistration(pu guestpass.PasskeyUser, state, response []byte) (*guestpass.PasskeyResult, error) {
	u, session, err := decode(pu, state)
	if err != nil {
		return nil, err
	}
	parsed, err := protocol.ParseCredentialCreationResponseBytes(response)
	if err != nil {
		return nil, refused(err)
	}
	cred, err := rp.wa.CreateCredential(u, *session, parsed)
	if err != nil {
		return nil, refused(err)
	}
	record, err := json.Marshal(cred)
	if err != nil {
		return nil, fmt.Errorf("passkey: encode credential: %w", err)
	}
	return &guestpass.PasskeyResult{CredentialID: cred.ID, Record: record, SignCount: cred.Authenticator.SignCount,
		UserVerified: cred.Flags.UserVerified, BackupEligible: cred.Flags.BackupEligible}, nil
}

// BeginLogin asks for an assertion by one of the guest's credentials.
func (rp *RP) BeginLogin(pu guestpass.PasskeyUser) ([]byte, []byte, error) {
	u, err := newUser(pu)
	if err != nil {
		return nil, nil, err
	}
	assertion, session, err := rp.wa.BeginLogin(u)
	if err != nil {
		return nil, nil, fmt.Errorf("passkey: begin login: %w", err)
	}
	return marshalPair(assertion, session)
}

// FinishLogin verifies the assertion response against state and the
// guest's credentials. CloneWarning reports a counter that did not grow.
func (rp *RP) FinishLogin(pu guestpass.PasskeyUser, state, response []byte) (*guestpass.PasskeyResult, error) {
	u, session, err := decode(pu, state)
	if err != nil {
		return nil, err
	}
	parsed, err := protocol.ParseCredentialRequestResponseBytes(response)
	if err != nil {
		return nil, refused(err)
	}
	cred, err := rp.wa.ValidateLogin(u, *session, parsed)
	if err != nil {
		return nil, refused(err)
	}
	return &guestpass.PasskeyResult{CredentialID: cred.ID, SignCount: cred.Authenticator.SignCount,
		CloneWarning: cred.Authenticator.CloneWarning, UserVerified: parsed.Response.AuthenticatorData.Flags.HasUserVerified(),
		BackupEligible: cred.Flags.BackupEligible}, nil
}

func marshalPair(options any, session *webauthn.SessionData) ([]byte, []byte, error) {
	o, err := json.Marshal(options)
	if err != nil {
		return nil, nil, fmt.Errorf("passkey: encode options: %w", err)
	}
	s, err := json.Marshal(session)
	if err != nil {
		return nil, nil, fmt.Errorf("passkey: encode session: %w", err)
	}
	return o, s, nil
}

func decode(pu guestpass.PasskeyUser, state []byte) (*user, *webauthn.SessionData, error) {
	u, err := newUser(pu)
	if err != nil {
		return nil, nil, err
	}
	var session webauthn.SessionData
	if err := json.Unmarshal(state, &session); err != nil {
		return nil, nil, fmt.Errorf("passkey: ceremony state: %w", err)
	}
	return u, &session, nil
}
