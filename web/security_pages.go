package web

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/guestpass/guestpass"
)

// securityData is what the guest's security page shows.
type securityData struct {
	Methods    []methodRow
	CodesLeft  int
	Fresh      bool   // changes allowed now; otherwise form#reauth
	FreshUntil string // HH:MM UTC
	Adding     bool   // the pending secret is shown (MFA) with form#add-totp
	NewCodes   []string
	TOTP       bool   // form#add-method: the tenant accepts authenticator apps
	Passkeys   bool   // form#add-passkey (shown by passkey.js)
	SMS        bool   // form#add-sms
	SMSEntry   bool   // form#sms-code for the number just texted
	SMSTo      string // that number, masked ("" after a wrong code)
	SMSUntil   string // HH:MM UTC
}

// methodRow is one method of the list. Removable: the last method (or the
// last the tenant accepts) goes only by an admin reset; Refused says the
// tenant no longer accepts its kind.
type methodRow struct {
	ID, Kind, Added string
	Removable       bool
	Refused         bool
}

func init() {
	addStrings("en", map[string]string{
		"title.security":        "Sign-in security",
		"security.lead":         "Second factors of %s at %s.",
		"security.none":         "You have no second factor yet.",
		"security.added":        "added %s UTC",
		"security.totp":         "Authenticator app",
		"security.codesleft":    "Recovery codes left: %d.",
		"security.fresh":        "You can make changes until %s UTC.",
		"security.stale":        "For your security, changes need a sign-in within the last 10 minutes. We will email you a new code (and ask for your second factor), then bring you back here.",
		"security.addlead":      "Add this account to your authenticator app, then enter the 6-digit code it shows.",
		"security.done.added":   "Your new sign-in method was added. We sent you an email about it.",
		"security.done.removed": "The method was removed. We sent you an email about it.",
		"security.newcodes":     "Your new recovery codes. The old ones no longer work. They are not shown again.",
		"button.reauth":         "Confirm it is me",
		"button.addtotp":        "Add an authenticator app",
		"button.remove":         "Remove",
		"button.regenerate":     "New recovery codes",
		"err.reauth_required":   "For your security, confirm it is you: sign in again with a new code, then make the change within 10 minutes.",
		"apps.security":         "Sign-in security",
	})
}

func (s *Server) securityPath(tid string) string { return "/t/" + url.PathEscape(tid) + "/security" }

// securityPage lists the guest's methods. Without a session it sends the
// browser to sign in and come back.
func (s *Server) securityPage(w http.ResponseWriter, r *http.Request) {
	notice := ""
	switch r.URL.Query().Get("done") {
	case "added":
		notice = "security.done.added"
	case "removed":
		notice = "security.done.removed"
	}
	s.showSecurity(w, r, http.StatusOK, nil, func(d *pageData) {
		if notice != "" {
			d.Notice = d.L.T(notice)
		}
	})
}

// showSecurity renders the page with an optional failure and extra fields.
func (s *Server) showSecurity(w http.ResponseWriter, r *http.Request, status int, failure error, more func(*pageData)) {
	tid := r.PathValue("tid")
	v, err := s.svc.ViewSecurity(r.Context(), tid, cookieValue(r, sessionCookie(tid)))
	if guestpass.KindOf(err) == guestpass.KindUnauthorized {
		s.securitySignIn(w, r, tid)
		return
	}
	if err != nil {
		t, _ := s.svc.PublicTenant(r.Context(), tid)
		s.renderError(w, r, t, err)
		return
	}
	d := s.newPage(r, "title.security", v.Tenant)
	d.GuestMail = v.Guest.Mail
	sd := &securityData{CodesLeft: v.RecoveryCodesLeft, Fresh: v.Fresh,
		FreshUntil: v.FreshUntil.UTC().Format("15:04"), TOTP: v.TOTP, Passkeys: v.Passkeys, SMS: v.SMS}
	for _, m := range v.Methods {
		kind := d.L.T("security." + string(m.Kind))
		if m.Kind == guestpass.MFASMS {
			kind = d.L.T("security.sms", v.Phones[m.ID])
		}
		sd.Methods = append(sd.Methods, methodRow{ID: m.ID, Kind: kind, Added: m.ConfirmedAt.UTC().Format("2006-01-02 15:04"),
			Removable: v.Removable[m.ID], Refused: v.Refused[m.ID]})
	}
	d.Security = sd
	d.Script = v.Fresh && v.Passkeys
	if failure != nil {
		d.Alert = d.L.Error(failure)
	}
	if more != nil {
		more(d)
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, status, "security", d)
}

// securitySignIn sends a browser without a session to the sign-in page, which
// brings it back to the security page. A POST is answered the same way:
// nothing was changed.
func (s *Server) securitySignIn(w http.ResponseWriter, r *http.Request, tid string) {
	back := url.Values{"return_to": {s.securityPath(tid)}}
	http.Redirect(w, r, "/t/"+url.PathEscape(tid)+"/signin?"+back.Encode(), http.StatusSeeOther)
}

// securityFailed shows a refused change on the security page; a session
// that went away goes to sign-in.
func (s *Server) securityFailed(w http.ResponseWriter, r *http.Request, err error) {
	status, code, _ := s.publicError(r, err)
	if status == http.StatusUnauthorized && code != "wrong_mfa_code" {
		s.securitySignIn(w, r, r.PathValue("tid"))
		return
	}
	if status >= 500 || code == "locked" || code == "tenant_not_found" {
		t, _ := s.svc.PublicTenant(r.Context(), r.PathValue("tid"))
		s.renderError(w, r, t, err)
		return
	}
	s.showSecurity(w, r, status, err, nil)
}

func (s *Server) securityRequest(w http.ResponseWriter, r *http.Request) (guestpass.SecurityRequest, bool) {
	tid := r.PathValue("tid")
	if err := parseFormMax(w, r, passkeyFormMax); err != nil {
		s.renderError(w, r, nil, err)
		return guestpass.SecurityRequest{}, false
	}
	return guestpass.SecurityRequest{TenantID: tid, SessionToken: cookieValue(r, sessionCookie(tid)),
		MethodID: formValue(r, "method"), Code: formValue(r, "code"), Phone: formValue(r, "phone"),
		Credential: r.PostFormValue("credential"), Client: s.client(r)}, true
}

// reauthenticate emails a code to the session's own address and starts a
// sign-in that comes back to the security page.
func (s *Server) reauthenticate(w http.ResponseWriter, r *http.Request) {
	req, ok := s.securityRequest(w, r)
	if !ok {
		return
	}
	res, err := s.svc.Reauthenticate(r.Context(), req.TenantID, req.SessionToken, cookieValue(r, flowCookie(req.TenantID)), req.Client)
	if err != nil {
		s.securityFailed(w, r, err)
		return
	}
	setHostCookie(w, flowCookie(req.TenantID), res.FlowToken, res.FlowExpiresAt, s.svc.Now())
	http.Redirect(w, r, "/t/"+url.PathEscape(req.TenantID)+"/verify", http.StatusSeeOther)
}

// addTOTP shows the pending authenticator secret with the confirm form.
func (s *Server) addTOTP(w http.ResponseWriter, r *http.Request) {
	req, ok := s.securityRequest(w, r)
	if !ok {
		return
	}
	v, err := s.svc.AddTOTP(r.Context(), req)
	if err != nil {
		s.securityFailed(w, r, err)
		return
	}
	s.showAddTOTP(w, r, http.StatusOK, v, nil)
}

func (s *Server) showAddTOTP(w http.ResponseWriter, r *http.Request, status int, v *guestpass.MFAView, failure error) {
	s.showSecurity(w, r, status, failure, func(d *pageData) {
		d.Security.Adding = true
		d.MFA = &mfaData{Register: true, Secret: v.Secret, URI: v.URI, QR: qrDataURL(v.URI)}
	})
}

// confirmTOTP takes the new app's first code. A wrong code shows the same
// secret again (it stays pending).
func (s *Server) confirmTOTP(w http.ResponseWriter, r *http.Request) {
	req, ok := s.securityRequest(w, r)
	if !ok {
		return
	}
	codes, err := s.svc.ConfirmTOTP(r.Context(), req)
	if err != nil {
		if code := errCode(err); code == "wrong_mfa_code" || code == "invalid_mfa_code_format" || code == "mfa_code_used" {
			if v, verr := s.svc.AddTOTP(r.Context(), req); verr == nil {
				status, _, _ := s.publicError(r, err)
				s.showAddTOTP(w, r, status, v, err)
				return
			}
		}
		s.securityFailed(w, r, err)
		return
	}
	if len(codes) > 0 {
		s.showNewCodes(w, r, codes)
		return
	}
	http.Redirect(w, r, s.securityPath(req.TenantID)+"?done=added", http.StatusSeeOther)
}

func (s *Server) removeMethod(w http.ResponseWriter, r *http.Request) {
	req, ok := s.securityRequest(w, r)
	if !ok {
		return
	}
	if err := s.svc.RemoveMFAMethod(r.Context(), req); err != nil {
		s.securityFailed(w, r, err)
		return
	}
	http.Redirect(w, r, s.securityPath(req.TenantID)+"?done=removed", http.StatusSeeOther)
}

func (s *Server) regenerateCodes(w http.ResponseWriter, r *http.Request) {
	req, ok := s.securityRequest(w, r)
	if !ok {
		return
	}
	codes, err := s.svc.RegenerateRecoveryCodes(r.Context(), req)
	if err != nil {
		s.securityFailed(w, r, err)
		return
	}
	s.showNewCodes(w, r, codes)
}

// showNewCodes shows recovery codes once, in #recovery-codes.
func (s *Server) showNewCodes(w http.ResponseWriter, r *http.Request, codes []string) {
	s.showSecurity(w, r, http.StatusOK, nil, func(d *pageData) {
		d.Security.NewCodes = codes
		d.Notice = d.L.T("security.newcodes")
	})
}

func errCode(err error) string {
	var e *guestpass.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}
