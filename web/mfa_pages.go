package web

import (
	"encoding/base64"
	"html/template"
	"net/http"
	"net/url"

	"github.com/guestpass/guestpass"
	qrcode "github.com/skip2/go-qrcode"
)

// mfaData is what the second-factor pages show.
type mfaData struct {
	Register  bool
	Stranded  bool         // only a recovery code, then registering (docs/mfa.md)
	Secret    string       // #totp-secret, base32
	URI       string       // otpauth:// URI, also as a link for phones
	QR        template.URL // data: PNG of URI, rendered here so no script or CDN is needed
	Codes     []string
	Left      int
	Recovered bool
	// The other factors (mfa_factors.go): the TOTP field's wording, the
	// passkey ceremony (create or get), texting a code and entering it.
	TOTP     bool
	Passkey  string // "", "create" or "get"
	SMS      bool
	Phones   []guestpass.PhoneChoice
	SMSTo    string // a code went here: form#sms-code
	SMSUntil string // HH:MM UTC
	// The continue form is a GET to the destination: its query travels in
	// hidden fields because a GET form replaces the action's query.
	ContinueAction string
	ContinueParams []kv
}

type kv struct{ K, V string }

func init() {
	addStrings("en", map[string]string{
		"title.mfa":          "Second factor",
		"title.recovery":     "Your recovery codes",
		"mfa.lead":           "%s requires a second factor. Enter the 6-digit code from your authenticator app, or one of your recovery codes.",
		"mfa.register":       "%s requires a second factor. Add this account to an authenticator app (such as FreeOTP or Google Authenticator), then enter the 6-digit code it shows.",
		"mfa.secret":         "Secret key to type into the app:",
		"mfa.uri":            "Or open this link on the phone with the app:",
		"mfa.qr":             "QR code to scan with your authenticator app",
		"mfa.code":           "Code",
		"button.mfa":         "Verify",
		"recovery.lead":      "Keep these recovery codes somewhere safe. Each one works once, when you cannot use your authenticator app. They are not shown again.",
		"recovery.used":      "You signed in with a recovery code. You have %d recovery codes left.",
		"err.wrong_mfa_code": "That code is not right. Check the time on your phone and try the newest code.",
		"mfa.totpnew":        "The secret for your authenticator app has expired (it is kept for an hour).",
		"button.totpnew":     "Show a new secret",
	})
}

func (s *Server) mfaPage(w http.ResponseWriter, r *http.Request) {
	s.showMFA(w, r, http.StatusOK, nil)
}

func (s *Server) showMFA(w http.ResponseWriter, r *http.Request, status int, failure error) {
	tid := r.PathValue("tid")
	v, err := s.svc.ViewMFA(r.Context(), tid, cookieValue(r, flowCookie(tid)))
	if err != nil {
		t, _ := s.svc.PublicTenant(r.Context(), tid)
		s.renderError(w, r, t, err)
		return
	}
	d := s.newPage(r, "title.mfa", v.Tenant)
	d.MFA = &mfaData{Register: v.Register, Stranded: v.Stranded, Secret: v.Secret, URI: v.URI, TOTP: v.TOTP, SMS: v.SMS, Phones: v.Phones}
	if v.Secret != "" {
		d.MFA.QR = qrDataURL(v.URI)
	}
	if v.Passkey {
		d.MFA.Passkey, d.Script = "get", true
		if v.Register {
			d.MFA.Passkey = "create"
		}
	}
	if v.SMSSent != nil {
		d.MFA.SMSTo, d.MFA.SMSUntil = v.SMSSent.To, v.SMSSent.ExpiresAt.UTC().Format("15:04")
	}
	if failure != nil {
		d.Alert = d.L.Error(failure)
	}
	s.render(w, r, status, "mfa", d)
}

// startTOTP (form#totp-new) makes a new secret when the pending one went
// stale: the MFA page is a GET and never makes one itself.
func (s *Server) startTOTP(w http.ResponseWriter, r *http.Request) {
	tid := r.PathValue("tid")
	if err := parseForm(w, r); err != nil {
		s.renderError(w, r, nil, err)
		return
	}
	if err := s.svc.StartTOTP(r.Context(), tid, cookieValue(r, flowCookie(tid))); err != nil {
		s.mfaFailed(w, r, err)
		return
	}
	http.Redirect(w, r, "/t/"+url.PathEscape(tid)+"/mfa", http.StatusSeeOther)
}

// verifyMFA takes form#mfa's one input: six digits are a TOTP code,
// anything else is tried as a recovery code.
func (s *Server) verifyMFA(w http.ResponseWriter, r *http.Request) {
	tid := r.PathValue("tid")
	if err := parseForm(w, r); err != nil {
		s.renderError(w, r, nil, err)
		return
	}
	req := guestpass.VerifyMFARequest{TenantID: tid, FlowToken: cookieValue(r, flowCookie(tid)), Client: s.client(r)}
	if in := r.PostFormValue("code"); isTOTPShaped(in) {
		req.Code = in
	} else {
		req.RecoveryCode = in
	}
	res, err := s.svc.VerifyMFA(r.Context(), req)
	if err != nil {
		s.mfaFailed(w, r, err)
		return
	}
	s.mfaDone(w, r, res)
}

// mfaFailed shows a refused second factor on the MFA page, or an error
// page when the flow itself is gone.
func (s *Server) mfaFailed(w http.ResponseWriter, r *http.Request, err error) {
	status, code, _ := s.publicError(r, err)
	if code == "flow_expired" || status >= 500 || code == "tenant_not_found" {
		t, _ := s.svc.PublicTenant(r.Context(), r.PathValue("tid"))
		s.renderError(w, r, t, err)
		return
	}
	s.showMFA(w, r, status, err)
}

// mfaDone ends a proven second factor: straight to the destination, or
// first the recovery codes of a registration (or how many are left).
func (s *Server) mfaDone(w http.ResponseWriter, r *http.Request, res *guestpass.SignInResult) {
	tid := r.PathValue("tid")
	if res.NeedMFA || len(res.RecoveryCodes) == 0 && !res.UsedRecoveryCode {
		s.signedIn(w, r, res)
		return
	}
	// Recovery codes (or how many are left) are shown before going on; the
	// session cookie is already set so the continue form simply navigates.
	clearCookie(w, flowCookie(tid))
	setHostCookie(w, sessionCookie(tid), res.Session.Token, res.Session.Session.ExpiresAt, s.svc.Now())
	s.setProxyCookie(w, tid, res.Session)
	d := s.newPage(r, "title.recovery", res.Tenant)
	d.MFA = &mfaData{Codes: res.RecoveryCodes, Left: res.RecoveryCodesLeft, Recovered: res.UsedRecoveryCode}
	d.MFA.ContinueAction, d.MFA.ContinueParams = continueForm(res.RedirectTo)
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, "recovery", d)
}

// qrDataURL renders uri as a data: PNG. A QR failure is not fatal (empty):
// the text secret beside it still works.
func qrDataURL(uri string) template.URL {
	png, err := qrcode.Encode(uri, qrcode.Medium, 256)
	if err != nil {
		return ""
	}
	// The data URI is our own PNG in base64, not user input.
	return template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))
}

func isTOTPShaped(s string) bool {
	_, ok := guestpass.NormalizeTOTP(s)
	return ok || s == ""
}

// continueForm splits a destination (already validated by the service)
// into a GET form's action and hidden fields.
func continueForm(dest string) (string, []kv) {
	u, err := url.Parse(dest)
	if err != nil {
		return dest, nil
	}
	var params []kv
	for k, vs := range u.Query() {
		for _, v := range vs {
			params = append(params, kv{k, v})
		}
	}
	u.RawQuery = ""
	return u.String(), params
}
