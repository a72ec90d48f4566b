package guestpass

import (
	"slices"
	"time"
)

// EmailOTPSetting is a tenant's switch for email one-time-passcode sign-in.
type EmailOTPSetting string

const (
	EmailOTPDefault  EmailOTPSetting = "default" // on; the tenant has not chosen
	EmailOTPEnabled  EmailOTPSetting = "enabled"
	EmailOTPDisabled EmailOTPSetting = "disabled"
)

// TenantSettings are the per-tenant knobs of DESIGN §1. Zero values are
// replaced by the defaults in NormalizeSettings.
type TenantSettings struct {
	EmailOTP              EmailOTPSetting
	CodeLifetime          time.Duration
	SessionLifetime       time.Duration
	InvitationLifetime    time.Duration
	InvitationQuotaPerDay int
	RequireMFAForGuests   bool
	AllowedDomains        []string
	BlockedDomains        []string
	// MFAMethods are the kinds of second factor guests may use (at least
	// one; default all, AllMFAKinds), in AllMFAKinds order.
	MFAMethods []MFAKind
}

// Tenant is an organization that invites guests.
type Tenant struct {
	ID              string
	DisplayName     string
	VerifiedDomains []string
	Settings        TenantSettings
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// GuestState is the lifecycle state of a guest.
type GuestState string

const (
	GuestPendingAcceptance GuestState = "pendingAcceptance"
	GuestAccepted          GuestState = "accepted"
	GuestDisabled          GuestState = "disabled"
)

// Guest is an outside user of one tenant. The same address in two tenants is
// two guests.
type Guest struct {
	ID           string
	TenantID     string
	Mail         string // normalized: lower-case, IDN domain as punycode
	DisplayName  string
	State        GuestState
	InvitedBy    string
	InvitedAt    time.Time
	RedeemedAt   time.Time // zero until first redemption
	LastSignInAt time.Time // zero until first sign-in
	// RedeemedWith is how the guest redeemed: IDPMail or an upstream
	// issuer, empty until the first redemption. The guest keeps signing in
	// that way (sticky identity) until an admin resets the redemption.
	RedeemedWith string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// InvitationStatus follows Microsoft Graph's invitation status names.
type InvitationStatus string

const (
	InvitationPending   InvitationStatus = "PendingAcceptance"
	InvitationCompleted InvitationStatus = "Completed"
)

// DeliveryState is the state of the last email sent for an invitation.
type DeliveryState string

const (
	DeliveryNone   DeliveryState = "none" // sendInvitationMessage was false
	DeliveryQueued DeliveryState = "queued"
	DeliverySent   DeliveryState = "sent"
	DeliveryFailed DeliveryState = "failed"
)

// Invitation records who invited whom and holds the redemption ticket (only
// its SHA-256 is stored).
type Invitation struct {
	ID            string
	TenantID      string
	GuestID       string
	InvitedBy     string
	RedirectURL   string
	Message       string
	TicketHash    []byte
	Status        InvitationStatus
	SendCount     int
	LastMailID    string // the mail job whose delivery state is shown
	DeliveryState DeliveryState
	DeliveryError string
	ExpiresAt     time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
	RedeemedAt    time.Time
}

// FlowState is where a sign-in flow stands.
type FlowState string

const (
	FlowStarted  FlowState = "started"  // address known or asked, no code yet
	FlowCodeSent FlowState = "codeSent" // a code (or, for unknown addresses, a decoy) is pending
	FlowConsent  FlowState = "consent"  // code proven; first redemption awaits consent
	FlowMFA      FlowState = "mfa"      // first factor proven; the tenant's second factor awaits
	FlowUpstream FlowState = "upstream" // sent to an upstream identity provider; its callback awaits
	// FlowMFARegister: a recovery code stood in for second factors of kinds
	// the tenant no longer accepts; the guest registers an accepted one
	// before the session begins.
	FlowMFARegister FlowState = "mfaRegister"
)

// Flow is one browser's attempt to sign in, bound to it by a cookie whose
// SHA-256 is IDHash. The current code lives on the flow: a new send replaces
// it, which voids the previous one.
type Flow struct {
	IDHash       []byte
	TenantID     string
	Mail         string // normalized address, empty until the guest names one
	InvitationID string // set when the flow began at a redemption link
	ReturnTo     string // validated destination after sign-in
	// AppID is the tenant application the sign-in is for (an OIDC client
	// or proxy app that sent the guest here), empty for the tenant itself.
	// Only its requireMfa is read from it: it can add a second factor to
	// the sign-in, never remove one.
	AppID string
	// StepUp marks a re-authentication for the guest's security page: a
	// guest with a second factor must prove it whatever the tenant says.
	StepUp        bool
	State         FlowState
	CodeMAC       []byte // HMAC of the current code; nil when none is pending
	CodeExpiresAt time.Time
	CodeAttempts  int
	CodeSentAt    time.Time
	GuestID       string // set once the first factor is proven
	// AMR and IDP say how the first factor was proven; empty means an
	// emailed code (see FirstFactor).
	AMR []string
	IDP string
	// The upstream sign-in in progress (FlowUpstream): the provider's id,
	// the SHA-256 of the state parameter, the nonce sent, and the PKCE
	// verifier sealed with Keys.Seal.
	UpstreamID       string
	UpstreamState    []byte
	UpstreamNonce    string
	UpstreamVerifier []byte
	CreatedAt        time.Time
	ExpiresAt        time.Time
}

// IDPMail names the emailed one-time code as an identity provider, in
// sessions, the sign-in log and the OIDC idp claim.
const IDPMail = "mail"

// FirstFactor is how the flow's first factor was proven: the upstream
// identity provider's issuer and amr, or the emailed code.
func (f *Flow) FirstFactor() (idp string, amr []string) {
	if f.IDP == "" || f.IDP == IDPMail {
		return IDPMail, []string{"otp"}
	}
	return f.IDP, slices.Clone(f.AMR)
}

// Session is a guest signed in to one tenant. Its lifetime is absolute.
type Session struct {
	TokenHash []byte
	ID        string // public handle for admin views and audit; not a credential
	TenantID  string
	GuestID   string
	AuthTime  time.Time
	AMR       []string
	IDP       string // IDPMail or an upstream identity provider's issuer
	// ProxyTokenHash is SHA-256 of the session's forward-auth token, the
	// one the __Secure- cookie on the proxied apps' parent domain carries
	// (so the apps behind the proxy never see the session token itself).
	// Empty for sessions made before forward auth.
	ProxyTokenHash []byte
	CreatedAt      time.Time
	ExpiresAt      time.Time
	RevokedAt      time.Time
	// RevokedGrants are OIDC grants (authorization requests, by ID) whose
	// tokens were revoked while the session lives on: a replayed code
	// (RFC 6749 §4.1.2). Access tokens are not stored, so this is where
	// every node learns to refuse them.
	RevokedGrants []string
}

// GrantRevoked reports whether the tokens of an OIDC grant of this session
// were revoked.
func (s *Session) GrantRevoked(grantID string) bool { return slices.Contains(s.RevokedGrants, grantID) }

// ByEmailCode reports whether the session began with an emailed code (and
// so ends when its tenant switches codes off).
func (s *Session) ByEmailCode() bool { return s.IDP == IDPMail }

// Live reports whether the session may be used at now.
func (s *Session) Live(now time.Time) bool {
	return s.RevokedAt.IsZero() && now.Before(s.ExpiresAt)
}

// AuditType separates the sign-in log from admin changes.
type AuditType string

const (
	AuditSignIn AuditType = "signIn"
	AuditAdmin  AuditType = "admin"
	AuditMail   AuditType = "mail"
)

// AuditEvent is an append-only record. Detail never holds a code, ticket or
// token.
type AuditEvent struct {
	ID        string
	TenantID  string
	Time      time.Time
	Type      AuditType
	Action    string // e.g. "code.send", "code.verify", "invitation.create"
	Outcome   string // "success" | "failure"
	Reason    string
	GuestID   string
	Actor     string // admin token id, or "guest"
	IP        string
	UserAgent string
	Detail    string
}

// AdminToken authorizes the admin API. TenantID empty means operator (all
// tenants). Only the SHA-256 of the secret is stored.
type AdminToken struct {
	ID        string
	TenantID  string
	Name      string
	Hash      []byte
	CreatedAt time.Time
}

// Operator reports whether the token may act on every tenant.
func (t *AdminToken) Operator() bool { return t.TenantID == "" }

// Page asks a list for at most Limit rows after the opaque cursor After.
type Page struct {
	Limit int
	After string
}

// MailKind names the templates of a message.
type MailKind string

const (
	MailInvitation MailKind = "invitation"
	MailCode       MailKind = "code"
	MailLockNotice MailKind = "lockNotice"
	// MailSecurityNotice tells a guest their second factors changed.
	MailSecurityNotice MailKind = "securityNotice"
	// MailTextCode is an SMS code (To is a phone number). It rides the
	// same durable queue as mail but goes to the TextSender, never the
	// Mailer.
	MailTextCode MailKind = "textCode"
)

// Message is everything needed to render and deliver one email. It is sealed
// (encrypted under the secret key) before it is written to the queue, because
// it may carry a code or a redemption link.
type Message struct {
	Kind        MailKind
	To          string
	ToName      string
	Locale      string
	TenantName  string
	InviterName string
	Body        string // the inviter's optional message
	Link        string
	Code        string
	ExpiresAt   time.Time
	Change      SecurityChange // MailSecurityNotice: what changed
}

// MailJob is the queued form of a message: the payload is sealed; the clear
// fields are what delivery bookkeeping needs. Discard marks a decoy written
// for an unknown address so that every send does the same work; it is
// dropped, never delivered.
type MailJob struct {
	ID           string    `json:"id"`
	TenantID     string    `json:"tenantId"`
	Type         MailKind  `json:"type"`
	InvitationID string    `json:"invitationId,omitempty"`
	NotAfter     time.Time `json:"notAfter,omitzero"`
	Discard      bool      `json:"discard,omitempty"`
	Sealed       []byte    `json:"sealed"`
}

// Kind is the queue's job kind (River's JobArgs contract).
func (MailJob) Kind() string { return "guestpass_mail" }

var timeZero time.Time
