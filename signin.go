package guestpass

import (
	"context"
	"encoding/hex"
	"errors"
	"time"
)

// TicketStatus is what a redemption link currently means.
type TicketStatus string

const (
	TicketValid    TicketStatus = "valid"
	TicketRedeemed TicketStatus = "redeemed" // opens the sign-in page
	TicketExpired  TicketStatus = "expired"
)

// TicketView is what the redemption page shows. Looking a ticket up changes
// nothing: mail scanners open links.
type TicketView struct {
	Tenant     *Tenant
	MaskedMail string
	Status     TicketStatus
	// Route is the redemption order's answer for the invited guest, and
	// ProviderName the identity provider it names.
	Route        RouteKind
	RouteReason  string
	ProviderName string
}

// PublicTenant returns the tenant a guest page names.
func (s *Service) PublicTenant(ctx context.Context, tenantID string) (*Tenant, error) {
	return s.getTenant(ctx, s.store, tenantID)
}

var errBadTicket = Errorf(KindNotFound, "invalid_ticket", "This invitation link is not valid. Ask the organization that invited you for a new invitation.")

// LookupTicket resolves a redemption link for display.
func (s *Service) LookupTicket(ctx context.Context, tenantID, ticket string) (*TicketView, error) {
	t, err := s.getTenant(ctx, s.store, tenantID)
	if err != nil {
		return nil, err
	}
	inv, g, err := s.ticketGuest(ctx, s.store, tenantID, ticket)
	if err != nil {
		return nil, err
	}
	r, err := s.route(ctx, s.store, t, g, g.Mail)
	if err != nil {
		return nil, err
	}
	v := &TicketView{Tenant: t, MaskedMail: MaskAddress(g.Mail), Status: TicketValid, Route: r.Kind, RouteReason: r.Reason}
	if r.Provider != nil {
		v.ProviderName = r.Provider.DisplayName
	}
	switch {
	case g.State == GuestAccepted:
		v.Status = TicketRedeemed
	case !s.clock.Now().Before(inv.ExpiresAt):
		v.Status = TicketExpired
	}
	return v, nil
}

func (s *Service) ticketGuest(ctx context.Context, q Queries, tenantID, ticket string) (*Invitation, *Guest, error) {
	if len(ticket) < 20 || len(ticket) > 100 {
		return nil, nil, errBadTicket
	}
	inv, err := q.GetInvitationByTicket(ctx, tenantID, HashToken(ticket))
	if errors.Is(err, ErrNotFound) {
		return nil, nil, errBadTicket
	}
	if err != nil {
		return nil, nil, internal("get invitation", err)
	}
	g, err := q.GetGuest(ctx, tenantID, inv.GuestID)
	if errors.Is(err, ErrNotFound) || err == nil && g.State == GuestDisabled {
		return nil, nil, errBadTicket
	}
	return inv, g, internal("get guest", err)
}

// SendCodeRequest is a press of *Send code*: with the ticket of a redemption
// link, or with an address typed on the sign-in page.
type SendCodeRequest struct {
	TenantID  string
	FlowToken string // the browser's flow cookie, if any
	Ticket    string
	Email     string
	Resend    bool // send again to the address the flow already holds
	ReturnTo  string
	// AppID names the tenant application the guest is signing in to (the
	// app query parameter of the sign-in page). It may only add a second
	// factor (Application.RequireMFA); an unknown id is refused.
	AppID string
	// StepUp is set by Reauthenticate only (never from a form).
	StepUp bool
	Client Client
}

// SendCodeResult is the same for every address: known or not, limited or
// not, the caller learns nothing but the masked address it typed.
type SendCodeResult struct {
	FlowToken     string // set it as the flow cookie
	FlowExpiresAt time.Time
	MaskedMail    string
	Tenant        *Tenant
	// UpstreamURL, when set, is where the browser goes instead of the code
	// page: the redemption order chose the identity provider ProviderName.
	UpstreamURL  string
	ProviderName string
}

func errEmailOTPDisabled(t *Tenant) error {
	return Errorf(KindForbidden, "email_otp_disabled", "%s does not allow sign-in with an email code. Contact the person who invited you.", t.DisplayName)
}

// SendCode queues a code email in the flow bound to this browser, or, for
// an address that may not sign in or a limited send, does the same work with
// a decoy that is never mailed and never verifies.
func (s *Service) SendCode(ctx context.Context, req SendCodeRequest) (*SendCodeResult, error) {
	t, err := s.getTenant(ctx, s.store, req.TenantID)
	if err != nil {
		return nil, err
	}
	token, flow, isNew, err := s.openFlow(ctx, t.ID, req.FlowToken)
	if err != nil {
		return nil, err
	}
	addr, invID, err := s.requestedAddress(ctx, t, flow, req)
	if err != nil {
		return nil, err
	}
	if rt, ok := s.CleanTenantReturnTo(ctx, t.ID, req.ReturnTo); ok && rt != "" {
		flow.ReturnTo = rt
	}
	if req.AppID != "" { // once set, a later send without it keeps it
		if err := s.checkFlowApp(ctx, t, req.AppID); err != nil {
			return nil, err
		}
		flow.AppID = req.AppID
	}
	flow.StepUp = flow.StepUp || req.StepUp
	// The providers come from memory; reading them inside the transaction
	// would make it wait for a second connection whenever they are not.
	providers, err := s.routeProviders(ctx, s.store, t)
	if err != nil {
		return nil, err
	}
	code, err := NewCode(s.rand)
	if err != nil {
		return nil, err
	}
	decoy := make([]byte, 32)
	if _, err := s.rand.Read(decoy); err != nil {
		return nil, internal("random", err)
	}
	// The address's state is read once, in the transaction that sends the
	// code, and the send limits are taken in the same statement: the route
	// comes from the state's guest, and a route other than the email code
	// gives the limits taken back before anything else is written. It
	// gives them back rather than roll back: on PostgreSQL this write may
	// share its transaction with others (group commit), and a failed
	// function would make them all run again, on every federated sign-in.
	var g *Guest
	var route Route
	takes, limitReasons := s.sendLimits(t, flow, addr, req.Client)
	err = s.store.Update(ctx, func(tx Tx) error {
		st, refused, _, err := tx.AddressStateTakingTokens(ctx, t.ID, addr, lockKey(t.ID, addr), s.clock.Now(), takes)
		if err != nil {
			return internal("address state", err)
		}
		g, route = st.Guest, routeWith(providers, t, st.Guest, addr)
		if route.Kind != RouteMail {
			for _, take := range takes[:refused] {
				if err := tx.ReturnToken(ctx, take.Key, take.Interval); err != nil {
					return internal("return send token", err)
				}
			}
			return nil
		}
		if err := s.audit(ctx, tx, routeEvent(t, g, route, req.Client)); err != nil {
			return err
		}
		limited := ""
		if refused < len(takes) {
			limited = limitReasons[refused]
		}
		return s.sendCodeTx(ctx, tx, t, flow, isNew, addr, invID, code, decoy, st, limited, req.Client)
	})
	switch {
	case err != nil:
		return nil, err
	case route.Kind == RouteRefused:
		return nil, errors.Join(RefusedRouteError(t, route.Reason), s.audit(ctx, s.store, routeEvent(t, g, route, req.Client)))
	case route.Kind != RouteMail:
		return s.startUpstream(ctx, t, g, token, flow, isNew, addr, invID, route, req.Client)
	}
	return &SendCodeResult{FlowToken: token, FlowExpiresAt: flow.ExpiresAt, MaskedMail: MaskAddress(addr), Tenant: t}, nil
}

// requestedAddress is the address a send is for: the ticket's guest, or the
// typed address (only its syntax is checked here).
func (s *Service) requestedAddress(ctx context.Context, t *Tenant, flow *Flow, req SendCodeRequest) (string, string, error) {
	if req.Resend {
		if flow.Mail == "" {
			return "", "", ErrFlowExpired
		}
		return flow.Mail, flow.InvitationID, nil
	}
	if req.Ticket == "" {
		addr, err := ParseAddress(req.Email)
		return addr, "", err
	}
	inv, g, err := s.ticketGuest(ctx, s.store, t.ID, req.Ticket)
	if err != nil {
		return "", "", err
	}
	if g.State == GuestPendingAcceptance && !s.clock.Now().Before(inv.ExpiresAt) {
		return "", "", Errorf(KindInvalid, "invitation_expired", "This invitation has expired. Ask %s for a new one.", t.DisplayName)
	}
	return g.Mail, inv.ID, nil
}

// openFlow returns the browser's flow for this tenant, or a new one.
func (s *Service) openFlow(ctx context.Context, tenantID, token string) (string, *Flow, bool, error) {
	if f, err := s.loadFlow(ctx, s.store, tenantID, token); err == nil {
		return token, f, false, nil
	} else if KindOf(err) == KindInternal {
		return "", nil, false, err
	}
	token, err := NewToken(s.rand)
	if err != nil {
		return "", nil, false, err
	}
	now := s.clock.Now()
	return token, &Flow{IDHash: HashToken(token), TenantID: tenantID, State: FlowStarted, CreatedAt: now}, true, nil
}

// ErrFlowExpired answers a flow that is gone, foreign or in another state.
var ErrFlowExpired = Errorf(KindInvalid, "flow_expired", "This sign-in has expired or was started in another browser. Start again and request a new code.")

// plausibleFlowToken refuses, before any database read, what no flow
// cookie of ours can be.
func plausibleFlowToken(token string) bool { return len(token) >= 20 && len(token) <= 100 }

func (s *Service) loadFlow(ctx context.Context, q Queries, tenantID, token string) (*Flow, error) {
	if !plausibleFlowToken(token) {
		return nil, ErrFlowExpired
	}
	f, err := q.GetFlow(ctx, HashToken(token))
	if errors.Is(err, ErrNotFound) || err == nil && (f.TenantID != tenantID || !s.clock.Now().Before(f.ExpiresAt)) {
		return nil, ErrFlowExpired
	}
	return f, internal("get flow", err)
}

// sendCodeTx does the same reads and writes whatever the outcome, so that
// neither the page nor its timing tells an invited address from another.
func (s *Service) sendCodeTx(ctx context.Context, tx Tx, t *Tenant, flow *Flow, isNew bool, addr, invID, code string, decoy []byte, st *AddressState, limited string, c Client) error {
	now := s.clock.Now()
	guest, reason := s.eligibility(st)
	if limited != "" {
		reason = limited
	}
	if limited == "" {
		flow.Mail, flow.InvitationID, flow.State = addr, invID, FlowCodeSent
		flow.IDP, flow.AMR, flow.UpstreamID, flow.UpstreamState, flow.UpstreamNonce, flow.UpstreamVerifier = "", nil, "", nil, "", nil
		flow.CodeMAC, flow.CodeAttempts, flow.CodeSentAt = decoy, 0, now
		flow.CodeExpiresAt = now.Add(t.Settings.CodeLifetime)
		if reason == "" {
			flow.CodeMAC = s.keys.CodeMAC(t.ID, flow.IDHash, addr, code)
		}
	}
	flow.ExpiresAt = now.Add(t.Settings.CodeLifetime + s.flowTTL)
	if err := s.saveFlow(ctx, tx, flow, isNew); err != nil {
		return err
	}
	msg := &Message{Kind: MailCode, To: addr, Locale: c.Locale, TenantName: t.DisplayName, Code: code, ExpiresAt: flow.CodeExpiresAt}
	if guest != nil {
		msg.ToName = guest.DisplayName
	}
	job, err := s.sealMessage(msg, t.ID, "", flow.CodeExpiresAt, reason != "")
	if err != nil {
		return err
	}
	if err := tx.EnqueueMail(ctx, job); err != nil {
		return internal("enqueue code", err)
	}
	return s.audit(ctx, tx, signInEvent(t.ID, guest, "code.send", reason, c))
}

func (s *Service) saveFlow(ctx context.Context, tx Tx, f *Flow, isNew bool) error {
	if isNew {
		return internal("create flow", tx.CreateFlow(ctx, f))
	}
	return internal("update flow", tx.UpdateFlow(ctx, f))
}

// sendLimits are the buckets a send takes, in this order, and the reason
// each records when it refuses: a refusal leaves the later ones alone. A
// limited send is answered like any other and leaves the pending code as
// it was.
func (s *Service) sendLimits(t *Tenant, f *Flow, addr string, c Client) ([]TokenTake, []string) {
	return []TokenTake{
		{"send:ip:" + c.IP, s.limits.SendPerIP.interval(), s.limits.SendPerIP.Burst},
		{"send:flow:" + hex.EncodeToString(f.IDHash), s.limits.SendPerFlow.interval(), s.limits.SendPerFlow.Burst},
		{"send:addr:" + t.ID + ":" + addr, s.limits.SendPerAddress.interval(), s.limits.SendPerAddress.Burst},
	}, []string{"rate_limited_ip", "rate_limited_flow", "rate_limited_address"}
}

// codeEligibility says why addr may not receive a code ("" when it may). It
// makes the same query for every address.
func (s *Service) codeEligibility(ctx context.Context, q Queries, t *Tenant, addr string) (*Guest, string, error) {
	st, err := q.AddressState(ctx, t.ID, addr, lockKey(t.ID, addr))
	if err != nil {
		return nil, "", internal("address state", err)
	}
	g, reason := s.eligibility(st)
	return g, reason, nil
}

// eligibility is codeEligibility on a state already read.
func (s *Service) eligibility(st *AddressState) (*Guest, string) {
	g, now := st.Guest, s.clock.Now()
	switch {
	case g == nil:
		return nil, "unknown_address"
	case g.State == GuestDisabled:
		return g, "guest_disabled"
	case g.State == GuestPendingAcceptance && !now.Before(st.InvitationExpiresAt):
		return g, "invitation_expired"
	case now.Before(st.LockedUntil):
		return g, "locked"
	}
	return g, ""
}

func lockKey(tenantID, addr string) string   { return "lock:" + tenantID + ":" + addr }
func budgetKey(tenantID, addr string) string { return "fail:" + tenantID + ":" + addr }

func signInEvent(tenantID string, g *Guest, action, reason string, c Client) AuditEvent {
	e := AuditEvent{TenantID: tenantID, Type: AuditSignIn, Action: action, Outcome: "success", Reason: reason, Actor: "guest", IP: c.IP, UserAgent: c.UserAgent}
	if reason != "" {
		e.Outcome = "failure"
	}
	if g != nil {
		e.GuestID = g.ID
	}
	return e
}

// FlowView is what the code and consent pages show about a flow.
type FlowView struct {
	Tenant        *Tenant
	MaskedMail    string
	State         FlowState
	CodeExpiresAt time.Time
}

// ViewFlow reads the browser's flow for display; it changes nothing.
func (s *Service) ViewFlow(ctx context.Context, tenantID, token string) (*FlowView, error) {
	t, err := s.getTenant(ctx, s.store, tenantID)
	if err != nil {
		return nil, err
	}
	f, err := s.loadFlow(ctx, s.store, tenantID, token)
	if err != nil {
		return nil, err
	}
	v := &FlowView{Tenant: t, State: f.State, CodeExpiresAt: f.CodeExpiresAt}
	if f.Mail != "" {
		v.MaskedMail = MaskAddress(f.Mail)
	}
	return v, nil
}
