package sms

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/guestpass/guestpass"
)

// DefaultAPIURL is Twilio's API base.
const DefaultAPIURL = "https://api.twilio.com"

// TwilioOptions configure a Twilio sender.
type TwilioOptions struct {
	// APIURL is the provider's base URL; empty means DefaultAPIURL. Other
	// providers with a Twilio-compatible Messages API go here.
	APIURL     string
	AccountSID string
	AuthToken  string
	From       string // E.164 number or messaging sender the account owns
	// HTTPClient defaults to a client with a 15 s timeout.
	HTTPClient *http.Client
}

// Twilio sends texts with POST {APIURL}/2010-04-01/Accounts/{sid}/Messages.json.
type Twilio struct {
	endpoint string
	sid      string
	token    string
	from     string
	hc       *http.Client
}

var _ guestpass.TextSender = (*Twilio)(nil)

// NewTwilio checks the options; it makes no request.
func NewTwilio(o TwilioOptions) (*Twilio, error) {
	if o.APIURL == "" {
		o.APIURL = DefaultAPIURL
	}
	u, err := url.Parse(o.APIURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" {
		return nil, fmt.Errorf("sms: API URL %q must be an http(s) base URL", o.APIURL)
	}
	if o.AccountSID == "" || strings.ContainsAny(o.AccountSID, "/?#%") || o.AuthToken == "" || o.From == "" {
		return nil, errors.New("sms: account SID, auth token and sender are required")
	}
	hc := o.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 15 * time.Second}
	}
	endpoint := strings.TrimRight(u.String(), "/") + "/2010-04-01/Accounts/" + url.PathEscape(o.AccountSID) + "/Messages.json"
	return &Twilio{endpoint: endpoint, sid: o.AccountSID, token: o.AuthToken, from: o.From, hc: hc}, nil
}

// SendText posts one message. The body is never part of an error.
func (t *Twilio) SendText(ctx context.Context, to, body string) error {
	if !ValidNumber(to) {
		return fmt.Errorf("sms: %w: recipient is not an E.164 number", guestpass.ErrTextPermanent)
	}
	form := url.Values{"To": {to}, "From": {t.from}, "Body": {body}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return fmt.Errorf("sms: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.SetBasicAuth(t.sid, t.token)
	resp, err := t.hc.Do(req)
	if err != nil {
		return fmt.Errorf("sms: send: %w", scrub(err))
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 == 2 {
		return nil
	}
	pe := ParseError(raw)
	err = fmt.Errorf("sms: provider answered %d (code %d): %s", resp.StatusCode, pe.Code, pe.Message)
	if resp.StatusCode/100 == 4 && resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode != http.StatusRequestTimeout {
		return fmt.Errorf("%w: %w", guestpass.ErrTextPermanent, err)
	}
	return err
}

// scrub drops the URL from a transport error: it is ours, not secret, but
// the error is enough without it.
func scrub(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// ProviderError is the error body of a Twilio-compatible API.
type ProviderError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

// ParseError reads a provider's error body; anything unreadable becomes
// an empty message. The message is cut to 200 printable characters, as it
// ends up in logs.
func ParseError(raw []byte) ProviderError {
	var pe ProviderError
	if json.Unmarshal(raw, &pe) != nil {
		return ProviderError{}
	}
	pe.Message = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, pe.Message)
	if r := []rune(pe.Message); len(r) > 200 {
		pe.Message = string(r[:200])
	}
	return pe
}
