package sms_test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/guestpass/guestpass"
	"github.com/guestpass/guestpass/sms"
)

// provider is an httptest Twilio that checks every request exactly and
// answers with status and body.
func provider(t *testing.T, status int, body string) (*httptest.Server, *int) {
	t.Helper()
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		user, pass, ok := r.BasicAuth()
		raw, _ := io.ReadAll(r.Body)
		form, err := url.ParseQuery(string(raw))
		want := url.Values{"To": {"+4915123456789"}, "From": {"+15005550006"}, "Body": {"Your code: 12345678"}}
		switch {
		case r.Method != http.MethodPost || r.URL.Path != "/2010-04-01/Accounts/AC123/Messages.json" || r.URL.RawQuery != "":
			t.Errorf("request %s %s", r.Method, r.URL)
		case !ok || user != "AC123" || pass != "tok-secret":
			t.Errorf("basic auth %q %q %v", user, pass, ok)
		case r.Header.Get("Content-Type") != "application/x-www-form-urlencoded":
			t.Errorf("content type %q", r.Header.Get("Content-Type"))
		case err != nil || len(form) != 3 || form.Encode() != want.Encode():
			t.Errorf("form %q", raw)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv, &calls
}

func newTwilio(t *testing.T, base string) *sms.Twilio {
	t.Helper()
	tw, err := sms.NewTwilio(sms.TwilioOptions{APIURL: base + "/", AccountSID: "AC123", AuthToken: "tok-secret", From: "+15005550006"})
	if err != nil {
		t.Fatal(err)
	}
	return tw
}

func TestTwilio(t *testing.T) {
	t.Run("Sent", func(t *testing.T) {
		srv, calls := provider(t, 201, `{"sid":"SM1","status":"queued"}`)
		if err := newTwilio(t, srv.URL).SendText(t.Context(), "+4915123456789", "Your code: 12345678"); err != nil || *calls != 1 {
			t.Fatalf("%v, %d calls", err, *calls)
		}
	})
	t.Run("RefusedNumberIsPermanent", func(t *testing.T) {
		srv, _ := provider(t, 400, `{"code":21211,"message":"The 'To' number is not valid.","status":400}`)
		err := newTwilio(t, srv.URL).SendText(t.Context(), "+4915123456789", "Your code: 12345678")
		if !errors.Is(err, guestpass.ErrTextPermanent) || !strings.Contains(err.Error(), "21211") {
			t.Fatalf("%v", err)
		}
		if strings.Contains(err.Error(), "12345678") || strings.Contains(err.Error(), "tok-secret") {
			t.Fatalf("the error leaks the body or token: %v", err)
		}
	})
	for _, status := range []int{429, 500, 503} {
		t.Run("Temporary"+http.StatusText(status), func(t *testing.T) {
			srv, _ := provider(t, status, `not json`)
			err := newTwilio(t, srv.URL).SendText(t.Context(), "+4915123456789", "Your code: 12345678")
			if err == nil || errors.Is(err, guestpass.ErrTextPermanent) {
				t.Fatalf("%d: %v", status, err)
			}
		})
	}
	t.Run("Unreachable", func(t *testing.T) {
		srv, _ := provider(t, 201, `{}`)
		srv.Close()
		err := newTwilio(t, srv.URL).SendText(t.Context(), "+4915123456789", "Your code: 12345678")
		if err == nil || errors.Is(err, guestpass.ErrTextPermanent) {
			t.Fatalf("%v", err)
		}
	})
	t.Run("BadNumberNeverSent", func(t *testing.T) {
		srv, calls := provider(t, 201, `{}`)
		for _, to := range []string{"", "015123456789", "+0151234567", "+49 151 234", "+1234567890123456", "+49151\r\n"} {
			if err := newTwilio(t, srv.URL).SendText(t.Context(), to, "x"); !errors.Is(err, guestpass.ErrTextPermanent) {
				t.Errorf("%q: %v", to, err)
			}
		}
		if *calls != 0 {
			t.Fatalf("%d requests for invalid numbers", *calls)
		}
	})
}

func TestNewTwilioValidates(t *testing.T) {
	ok := sms.TwilioOptions{AccountSID: "AC1", AuthToken: "t", From: "+15005550006"}
	if _, err := sms.NewTwilio(ok); err != nil {
		t.Fatalf("default API URL: %v", err)
	}
	for name, mod := range map[string]func(*sms.TwilioOptions){
		"NoSID":     func(o *sms.TwilioOptions) { o.AccountSID = "" },
		"SIDPath":   func(o *sms.TwilioOptions) { o.AccountSID = "AC1/../x" },
		"NoToken":   func(o *sms.TwilioOptions) { o.AuthToken = "" },
		"NoFrom":    func(o *sms.TwilioOptions) { o.From = "" },
		"BadScheme": func(o *sms.TwilioOptions) { o.APIURL = "ftp://api.example" },
		"NoHost":    func(o *sms.TwilioOptions) { o.APIURL = "https://" },
	} {
		o := ok
		mod(&o)
		if _, err := sms.NewTwilio(o); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
}

func TestConsole(t *testing.T) {
	var buf bytes.Buffer
	c := sms.NewConsole(&buf)
	if err := c.SendText(t.Context(), "+4915123456789", "Your code: 12345678"); err != nil {
		t.Fatal(err)
	}
	if out := buf.String(); !strings.Contains(out, "NOT sent") || !strings.Contains(out, "+4915123456789") || !strings.Contains(out, "12345678") {
		t.Fatalf("console output:\n%s", out)
	}
	if err := c.SendText(t.Context(), "12", "x"); !errors.Is(err, guestpass.ErrTextPermanent) {
		t.Fatalf("bad number: %v", err)
	}
}

func FuzzParseError(f *testing.F) {
	f.Add([]byte(`{"code":21211,"message":"The 'To' number is not valid.","status":400}`))
	f.Add([]byte(`{"message":"a\r\nInjected: yes"}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		pe := sms.ParseError(raw)
		if utf8.RuneCountInString(pe.Message) > 200 || strings.ContainsAny(pe.Message, "\r\n\x00") {
			t.Fatalf("message not cleaned: %q", pe.Message)
		}
	})
}

func FuzzValidNumber(f *testing.F) {
	for _, s := range []string{"+4915123456789", "+0", "", "+١٢٣٤٥٦٧٨"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if sms.ValidNumber(s) && (s[0] != '+' || strings.Trim(s[1:], "0123456789") != "" || len(s) < 8 || len(s) > 16) {
			t.Fatalf("accepted %q", s)
		}
	})
}
