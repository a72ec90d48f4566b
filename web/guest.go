package web

import (
	"net/http"
	"net/url"

	"github.com/guestpass/guestpass"
)

// redeemPage shows the invitation with the masked address and Send code.
// It only reads: mail scanners open these links.
func (s *Server) redeemPage(w http.ResponseWriter, r *http.Request) {
	tid := r.PathValue("tid")
	ticket := r.URL.Query().Get("ticket")
	v, err := s.svc.LookupTicket(r.Context(), tid, ticket)
	if err != nil {
		t, _ := s.svc.PublicTenant(r.Context(), tid)
		s.renderError(w, r, t, err)
		return
	}
	if v.Status == guestpass.TicketRedeemed {
		http.Redirect(w, r, "/t/"+url.PathEscape(tid)+"/signin", http.StatusSeeOther)
		return
	}
	d := s.newPage(r, "title.redeem", v.Tenant)
	d.MaskedMail, d.Ticket = v.MaskedMail, ticket
	switch v.Route {
	case guestpass.RouteRefused:
		d.Alert = d.L.Error(guestpass.RefusedRouteError(v.Tenant, v.RouteReason))
		s.render(w, r, http.StatusForbidden, "message", d)
		return
	case guestpass.RouteIdentityProvider:
		d.Provider = v.ProviderName
	}
	if v.Status == guestpass.TicketExpired {
		d.Expired = true
		d.Alert = d.L.T("redeem.expired", v.Tenant.DisplayName)
		s.render(w, r, http.StatusGone, "redeem", d)
		return
	}
	s.render(w, r, http.StatusOK, "redeem", d)
}

// signInPage asks for an address. return_to is carried in the form: a GET
// records nothing. login_hint (an app's OpenID login_hint) pre-fills the
// address when it is one; the guest still sends the form, which takes it
// through the redemption order like a typed address. The page is the same
// whoever the address belongs to: nothing is looked up.
func (s *Server) signInPage(w http.ResponseWriter, r *http.Request) {
	t, ok := s.tenant(w, r)
	if !ok {
		return
	}
	d := s.newPage(r, "title.signin", t)
	if hint := r.URL.Query().Get("login_hint"); len(hint) <= 320 {
		if addr, err := guestpass.ParseAddress(hint); err == nil {
			d.Email = addr
		}
	}
	if rt, ok := s.svc.CleanTenantReturnTo(r.Context(), t.ID, r.URL.Query().Get("return_to")); ok {
		d.ReturnTo = rt
	}
	d.AppID = r.URL.Query().Get("app") // checked by SendCode
	if r.URL.Query().Has("signed_out") {
		d.Notice = d.L.T("signin.signedout")
	}
	federates, err := s.svc.HasIdentityProviders(r.Context(), t.ID)
	if err != nil {
		s.renderError(w, r, t, err)
		return
	}
	d.Federates, d.CodesOn = federates, t.EmailOTPAllowed()
	if !d.CodesOn && !d.Federates {
		d.Disabled = true
		d.Alert = d.L.T("signin.disabled", t.DisplayName)
		s.render(w, r, http.StatusForbidden, "signin", d)
		return
	}
	s.render(w, r, http.StatusOK, "signin", d)
}

// sendCode answers every accepted request with the same redirect to the
// code page, whoever the address belongs to.
func (s *Server) sendCode(w http.ResponseWriter, r *http.Request) {
	tid := r.PathValue("tid")
	if err := parseForm(w, r); err != nil {
		s.renderError(w, r, nil, err)
		return
	}
	req := guestpass.SendCodeRequest{TenantID: tid, FlowToken: cookieValue(r, flowCookie(tid)),
		Ticket: formValue(r, "ticket"), Email: formValue(r, "email"), Resend: formValue(r, "resend") != "",
		ReturnTo: formValue(r, "return_to"), AppID: formValue(r, "app"), Client: s.client(r)}
	res, err := s.svc.SendCode(r.Context(), req)
	if err != nil {
		s.sendCodeFailed(w, r, req, err)
		return
	}
	setHostCookie(w, flowCookie(tid), res.FlowToken, res.FlowExpiresAt, s.svc.Now())
	if res.UpstreamURL != "" {
		// The redemption order chose the guest's identity provider.
		http.Redirect(w, r, res.UpstreamURL, http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/t/"+url.PathEscape(tid)+"/verify", http.StatusSeeOther)
}

// federationCallback is the upstream provider's redirect back: a top-level
// GET from another site, which the Lax flow cookie accompanies. The flow
// cookie, state, nonce and PKCE verifier together bind it to this browser.
func (s *Server) federationCallback(w http.ResponseWriter, r *http.Request) {
	tid := r.PathValue("tid")
	q := r.URL.Query()
	res, err := s.svc.CompleteUpstream(r.Context(), guestpass.UpstreamCallbackRequest{TenantID: tid,
		FlowToken: cookieValue(r, flowCookie(tid)), State: q.Get("state"), Code: q.Get("code"), Error: q.Get("error"),
		Client: s.client(r)})
	if err != nil {
		t, _ := s.svc.PublicTenant(r.Context(), tid)
		s.renderError(w, r, t, err)
		return
	}
	s.signedIn(w, r, res)
}

// sendCodeFailed shows the form again with the reason (a malformed address,
// a bad ticket, a tenant that does not allow codes).
func (s *Server) sendCodeFailed(w http.ResponseWriter, r *http.Request, req guestpass.SendCodeRequest, err error) {
	t, terr := s.svc.PublicTenant(r.Context(), req.TenantID)
	if terr != nil || req.Ticket != "" || req.Resend || guestpass.KindOf(err) != guestpass.KindInvalid {
		s.renderError(w, r, t, err)
		return
	}
	d := s.newPage(r, "title.signin", t)
	d.Alert, d.Email, d.AppID = d.L.Error(err), req.Email, req.AppID
	if rt, ok := s.svc.CleanTenantReturnTo(r.Context(), t.ID, req.ReturnTo); ok {
		d.ReturnTo = rt
	}
	status, _, _ := s.publicError(r, err)
	s.render(w, r, status, "signin", d)
}

func (s *Server) verifyPage(w http.ResponseWriter, r *http.Request) {
	s.showVerify(w, r, http.StatusOK, nil)
}

// showVerify renders the code form of the browser's flow, with an error.
func (s *Server) showVerify(w http.ResponseWriter, r *http.Request, status int, failure error) {
	tid := r.PathValue("tid")
	v, err := s.svc.ViewFlow(r.Context(), tid, cookieValue(r, flowCookie(tid)))
	if err == nil && v.State == guestpass.FlowConsent {
		http.Redirect(w, r, "/t/"+url.PathEscape(tid)+"/consent", http.StatusSeeOther)
		return
	}
	if err == nil && (v.State == guestpass.FlowMFA || v.State == guestpass.FlowMFARegister) {
		http.Redirect(w, r, "/t/"+url.PathEscape(tid)+"/mfa", http.StatusSeeOther)
		return
	}
	if err == nil && v.MaskedMail == "" {
		err = guestpass.ErrFlowExpired
	}
	if err != nil {
		t, _ := s.svc.PublicTenant(r.Context(), tid)
		s.renderError(w, r, t, err)
		return
	}
	d := s.newPage(r, "title.verify", v.Tenant)
	d.MaskedMail = v.MaskedMail
	d.CodeMinutes = int(v.Tenant.Settings.CodeLifetime.Minutes())
	if failure != nil {
		d.Alert = d.L.Error(failure)
	}
	s.render(w, r, status, "verify", d)
}

func (s *Server) verifyCode(w http.ResponseWriter, r *http.Request) {
	tid := r.PathValue("tid")
	if err := parseForm(w, r); err != nil {
		s.renderError(w, r, nil, err)
		return
	}
	res, err := s.svc.VerifyCode(r.Context(), guestpass.VerifyCodeRequest{TenantID: tid,
		FlowToken: cookieValue(r, flowCookie(tid)), Code: r.PostFormValue("code"), Client: s.client(r)})
	if err != nil {
		status, code, _ := s.publicError(r, err)
		if code == "flow_expired" || status >= 500 || code == "tenant_not_found" || code == "email_otp_disabled" {
			t, _ := s.svc.PublicTenant(r.Context(), tid)
			s.renderError(w, r, t, err)
			return
		}
		s.showVerify(w, r, status, err)
		return
	}
	s.signedIn(w, r, res)
}

// signedIn sends the guest on: to consent, or with a session cookie to the
// destination.
func (s *Server) signedIn(w http.ResponseWriter, r *http.Request, res *guestpass.SignInResult) {
	tid := res.Tenant.ID
	if res.NeedConsent {
		http.Redirect(w, r, "/t/"+url.PathEscape(tid)+"/consent", http.StatusSeeOther)
		return
	}
	if res.NeedMFA {
		http.Redirect(w, r, "/t/"+url.PathEscape(tid)+"/mfa", http.StatusSeeOther)
		return
	}
	clearCookie(w, flowCookie(tid))
	if res.Session == nil {
		d := s.newPage(r, "title.signedout", res.Tenant)
		d.Body = d.L.T("consent.declined")
		s.render(w, r, http.StatusOK, "message", d)
		return
	}
	setHostCookie(w, sessionCookie(tid), res.Session.Token, res.Session.Session.ExpiresAt, s.svc.Now())
	s.setProxyCookie(w, tid, res.Session)
	http.Redirect(w, r, res.RedirectTo, http.StatusSeeOther)
}

func (s *Server) consentPage(w http.ResponseWriter, r *http.Request) {
	tid := r.PathValue("tid")
	v, err := s.svc.ViewFlow(r.Context(), tid, cookieValue(r, flowCookie(tid)))
	if err == nil && v.State != guestpass.FlowConsent {
		err = guestpass.ErrFlowExpired
	}
	if err != nil {
		t, _ := s.svc.PublicTenant(r.Context(), tid)
		s.renderError(w, r, t, err)
		return
	}
	s.render(w, r, http.StatusOK, "consent", s.newPage(r, "title.consent", v.Tenant))
}

func (s *Server) consent(w http.ResponseWriter, r *http.Request) {
	tid := r.PathValue("tid")
	if err := parseForm(w, r); err != nil {
		s.renderError(w, r, nil, err)
		return
	}
	res, err := s.svc.Consent(r.Context(), guestpass.ConsentRequest{TenantID: tid, FlowToken: cookieValue(r, flowCookie(tid)),
		Accept: r.PostFormValue("accept") == "yes", Client: s.client(r)})
	if err != nil {
		t, _ := s.svc.PublicTenant(r.Context(), tid)
		s.renderError(w, r, t, err)
		return
	}
	s.signedIn(w, r, res)
}

// appsPage lists the tenant's apps for a signed-in guest.
func (s *Server) appsPage(w http.ResponseWriter, r *http.Request) {
	tid := r.PathValue("tid")
	sess, g, err := s.svc.SessionByToken(r.Context(), tid, cookieValue(r, sessionCookie(tid)))
	if guestpass.KindOf(err) == guestpass.KindUnauthorized {
		back := url.Values{"return_to": {"/t/" + tid + "/apps"}}
		http.Redirect(w, r, "/t/"+url.PathEscape(tid)+"/signin?"+back.Encode(), http.StatusSeeOther)
		return
	}
	t, ok := s.tenant(w, r)
	if !ok {
		return
	}
	if err != nil {
		s.renderError(w, r, t, err)
		return
	}
	apps, err := s.svc.GuestApplications(r.Context(), tid, g.ID)
	if err != nil {
		s.renderError(w, r, t, err)
		return
	}
	d := s.newPage(r, "title.apps", t)
	for _, a := range apps {
		if u := a.HomeURL(s.svc.BaseURL().Scheme); u != "" {
			d.Apps = append(d.Apps, appLink{Name: a.DisplayName, URL: u})
		}
	}
	d.GuestMail = g.Mail
	d.SessionEnds = sess.ExpiresAt.UTC().Format("2006-01-02 15:04")
	s.render(w, r, http.StatusOK, "apps", d)
}

func (s *Server) signOut(w http.ResponseWriter, r *http.Request) {
	tid := r.PathValue("tid")
	if err := s.svc.SignOut(r.Context(), tid, cookieValue(r, sessionCookie(tid)), s.client(r)); err != nil {
		s.renderError(w, r, nil, err)
		return
	}
	clearCookie(w, sessionCookie(tid))
	s.clearProxyCookie(w, tid)
	http.Redirect(w, r, "/t/"+url.PathEscape(tid)+"/signin?signed_out=1", http.StatusSeeOther)
}
