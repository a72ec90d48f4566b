package web

import (
	"net/http"
	"net/url"

	"github.com/guestpass/guestpass"
)

// Passkeys and SMS codes, in the sign-in's MFA step and on the security
// page. Page hooks (docs/mfa.md): form#passkey and form#add-passkey (hidden
// until passkey.js shows them; field credential), form#sms-send (field
// phone when registering, or a button per number named method),
// form#add-sms (field phone), form#sms-code (field code).

// passkeyFormMax bounds a form carrying a PublicKeyCredential (attestation
// certificates make it a few kilobytes; other guest forms stay tiny).
const passkeyFormMax = 64 << 10

func init() {
	addStrings("en", map[string]string{
		"mfa.lead.nototp":      "%s requires a second factor.",
		"mfa.recovery":         "Or enter one of your recovery codes:",
		"mfa.recoverycode":     "Recovery code",
		"passkey.register":     "Or use a passkey instead",
		"passkey.registerlead": "Your device or security key signs you in, with your fingerprint, face or PIN.",
		"passkey.signin":       "Your passkey",
		"passkey.signinlead":   "Sign in with the passkey on your device or security key.",
		"button.passkeyadd":    "Create a passkey",
		"button.passkeyuse":    "Use your passkey",
		"passkey.cancelled":    "The passkey was not used (cancelled or timed out). Try again, or use another method.",
		"passkey.failed":       "The passkey did not work. Try again, or use another method.",
		"passkey.known":        "This device or security key is registered already.",
		"sms.register":         "Or get codes by text message",
		"sms.registerlead":     "We text a code to your mobile phone each time you sign in.",
		"sms.signin":           "Text message",
		"sms.phone":            "Mobile number, with country code",
		"button.smssend":       "Text me a code",
		"button.smsto":         "Text a code to %s",
		"sms.sent":             "We texted a code to %s. It works until %s UTC.",
		"sms.code":             "Code from the text message",
		"security.passkey":     "Passkey",
		"security.sms":         "Text message to %s",
		"button.addpasskey":    "Add a passkey",
		"button.addsms":        "Add a phone for text codes",
		"security.smslead":     "Enter the code we texted to the new number.",
	})
}

// writeOptions answers passkey.js's fetch: the ceremony options, or the
// error as {"error":{"code","message"}} in the page language.
func (s *Server) writeOptions(w http.ResponseWriter, r *http.Request, opts []byte, err error) {
	if err != nil {
		status, code, _ := s.publicError(r, err)
		l := localizer{lang: localeOf(r)}
		msg := l.Error(err)
		if status == http.StatusInternalServerError {
			msg = l.T("err.internal")
		}
		writeJSON(w, status, map[string]any{"error": map[string]string{"code": code, "message": msg}})
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(opts)
}

func (s *Server) mfaPasskeyOptions(w http.ResponseWriter, r *http.Request) {
	tid := r.PathValue("tid")
	opts, err := s.svc.PasskeyOptions(r.Context(), tid, cookieValue(r, flowCookie(tid)))
	s.writeOptions(w, r, opts, err)
}

// mfaPasskey takes form#passkey's answer: a first passkey registers (the
// recovery codes follow), a later one signs in.
func (s *Server) mfaPasskey(w http.ResponseWriter, r *http.Request) {
	tid := r.PathValue("tid")
	if err := parseFormMax(w, r, passkeyFormMax); err != nil {
		s.renderError(w, r, nil, err)
		return
	}
	res, err := s.svc.VerifyPasskey(r.Context(), guestpass.VerifyPasskeyRequest{TenantID: tid,
		FlowToken: cookieValue(r, flowCookie(tid)), Credential: r.PostFormValue("credential"), Client: s.client(r)})
	if err != nil {
		s.mfaFailed(w, r, err)
		return
	}
	s.mfaDone(w, r, res)
}

// mfaSendSMS texts a code (to the number typed when registering, or to the
// registered number whose button was pressed) and shows form#sms-code.
func (s *Server) mfaSendSMS(w http.ResponseWriter, r *http.Request) {
	tid := r.PathValue("tid")
	if err := parseForm(w, r); err != nil {
		s.renderError(w, r, nil, err)
		return
	}
	_, err := s.svc.SendSMSCode(r.Context(), guestpass.SendSMSRequest{TenantID: tid, FlowToken: cookieValue(r, flowCookie(tid)),
		Phone: formValue(r, "phone"), MethodID: formValue(r, "method"), Client: s.client(r)})
	if err != nil {
		s.mfaFailed(w, r, err)
		return
	}
	http.Redirect(w, r, "/t/"+url.PathEscape(tid)+"/mfa", http.StatusSeeOther)
}

func (s *Server) mfaVerifySMS(w http.ResponseWriter, r *http.Request) {
	tid := r.PathValue("tid")
	if err := parseForm(w, r); err != nil {
		s.renderError(w, r, nil, err)
		return
	}
	res, err := s.svc.VerifySMS(r.Context(), guestpass.VerifySMSRequest{TenantID: tid, FlowToken: cookieValue(r, flowCookie(tid)),
		Code: formValue(r, "code"), Client: s.client(r)})
	if err != nil {
		s.mfaFailed(w, r, err)
		return
	}
	s.mfaDone(w, r, res)
}

func (s *Server) addPasskeyOptions(w http.ResponseWriter, r *http.Request) {
	req, ok := s.securityRequest(w, r)
	if !ok {
		return
	}
	opts, err := s.svc.AddPasskeyOptions(r.Context(), req)
	s.writeOptions(w, r, opts, err)
}

// addPasskey takes form#add-passkey's answer.
func (s *Server) addPasskey(w http.ResponseWriter, r *http.Request) {
	req, ok := s.securityRequest(w, r)
	if !ok {
		return
	}
	codes, err := s.svc.AddPasskey(r.Context(), req)
	s.methodAdded(w, r, codes, err)
}

// addSMS texts a code to the number of form#add-sms and asks for it.
func (s *Server) addSMS(w http.ResponseWriter, r *http.Request) {
	req, ok := s.securityRequest(w, r)
	if !ok {
		return
	}
	sent, err := s.svc.AddSMS(r.Context(), req)
	if err != nil {
		s.securityFailed(w, r, err)
		return
	}
	s.showSMSEntry(w, r, http.StatusOK, sent, nil)
}

// showSMSEntry shows form#sms-code; sent is nil after a wrong code (the
// page then does not repeat the number).
func (s *Server) showSMSEntry(w http.ResponseWriter, r *http.Request, status int, sent *guestpass.SMSSent, failure error) {
	s.showSecurity(w, r, status, failure, func(d *pageData) {
		d.Security.SMSEntry = true
		if sent != nil {
			d.Security.SMSTo, d.Security.SMSUntil = sent.To, sent.ExpiresAt.UTC().Format("15:04")
		}
	})
}

// confirmSMS takes the new number's code; a wrong one asks again.
func (s *Server) confirmSMS(w http.ResponseWriter, r *http.Request) {
	req, ok := s.securityRequest(w, r)
	if !ok {
		return
	}
	codes, err := s.svc.ConfirmSMS(r.Context(), req)
	if code := errCode(err); code == "wrong_sms_code" || code == "invalid_sms_code_format" {
		status, _, _ := s.publicError(r, err)
		s.showSMSEntry(w, r, status, nil, err)
		return
	}
	s.methodAdded(w, r, codes, err)
}

// methodAdded ends an addition on the security page: the recovery codes of
// a first method, or the page with its notice.
func (s *Server) methodAdded(w http.ResponseWriter, r *http.Request, codes []string, err error) {
	if err != nil {
		s.securityFailed(w, r, err)
		return
	}
	if len(codes) > 0 {
		s.showNewCodes(w, r, codes)
		return
	}
	http.Redirect(w, r, s.securityPath(r.PathValue("tid"))+"?done=added", http.StatusSeeOther)
}
