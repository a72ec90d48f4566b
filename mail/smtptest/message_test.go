package smtptest_test

import (
	"strings"
	"testing"

	"github.com/guestpass/guestpass/mail/smtptest"
)

func msg(raw string) smtptest.Message {
	return smtptest.Message{Data: []byte(strings.ReplaceAll(raw, "\n", "\r\n"))}
}

const nested = `From: a@example.com
Subject: =?UTF-8?q?Gr=C3=BC=C3=9Fe?=
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary=outer

--outer
Content-Type: multipart/alternative; boundary=inner

--inner
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: quoted-printable

Code: 12345678, sch=C3=B6n, a long line that was soft=
 broken
--inner
Content-Type: text/html; charset=UTF-8
Content-Transfer-Encoding: base64

PHA+MTIzNDU2Nzg8L3A+
--inner--
--outer--
`

func TestMessageBody(t *testing.T) {
	m := msg(nested)
	t.Run("DecodesQuotedPrintableInNestedMultipart", func(t *testing.T) {
		if got, want := m.Text(), "Code: 12345678, schön, a long line that was soft broken"; got != want {
			t.Errorf("Text() = %q, want %q", got, want)
		}
	})
	t.Run("DecodesBase64", func(t *testing.T) {
		if got := m.HTML(); got != "<p>12345678</p>" {
			t.Errorf("HTML() = %q", got)
		}
	})
	t.Run("DecodesEncodedWordHeaders", func(t *testing.T) {
		if got := m.Header("subject"); got != "Grüße" {
			t.Errorf("Header(subject) = %q", got)
		}
		if got := m.Header("X-Missing"); got != "" {
			t.Errorf("missing header = %q", got)
		}
		if got := msg("not a message").Header("Subject"); got != "" {
			t.Errorf("header of garbage = %q", got)
		}
	})
	failures := map[string]string{
		"NoSuchPart":        "Content-Type: text/html\n\n<p>x</p>\n",
		"NotAMessage":       "no header here",
		"BadContentType":    "Content-Type: text/\n\nx\n",
		"UnknownEncoding":   "Content-Type: text/plain\nContent-Transfer-Encoding: uuencode\n\nx\n",
		"BrokenBase64":      "Content-Type: text/plain\nContent-Transfer-Encoding: base64\n\n!!!!\n",
		"UnclosedMultipart": "Content-Type: multipart/alternative; boundary=b\n\n--b\nContent-Type: text/html\n\nx\n",
	}
	for name, raw := range failures {
		t.Run(name, func(t *testing.T) {
			m := msg(raw)
			if got, err := m.Body("text/plain"); err == nil {
				t.Errorf("Body = %q, want an error", got)
			}
			if m.Text() != "" {
				t.Errorf("Text() = %q, want empty", m.Text())
			}
		})
	}
	t.Run("PlainDefaultsToTextPlain", func(t *testing.T) {
		if got := msg("Subject: x\n\nhi\n").Text(); got != "hi\n" {
			t.Errorf("Text() = %q", got)
		}
	})
}

// FuzzMessageBody: arbitrary data never panics or hangs the parser, and
// decoding only ever shrinks (no part is invented or duplicated).
func FuzzMessageBody(f *testing.F) {
	f.Add([]byte(nested))
	f.Add([]byte("Subject: x\r\n\r\nhi\r\n"))
	f.Add([]byte("Content-Type: multipart/mixed; boundary=a\r\n\r\n--a\r\nContent-Type: multipart/mixed; boundary=a\r\n\r\n--a--\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m := smtptest.Message{Data: data}
		if body, err := m.Body("text/plain"); err == nil && len(body) > len(data) {
			t.Errorf("decoded %d bytes from %d", len(body), len(data))
		}
		_ = m.Header("Subject")
	})
}
