package smtptest

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	netmail "net/mail"
	"net/textproto"
	"strings"
)

// Message is one delivered mail: the envelope as the client gave it and the
// raw data after DATA.
type Message struct {
	TLS  bool     // received over TLS (STARTTLS or implicit)
	User string   // AUTH PLAIN user name; empty without AUTH
	From string   // MAIL FROM
	To   []string // RCPT TO, in order
	Data []byte   // the message as received (headers and body, CRLF)
}

// Header returns the first header field named name, with RFC 2047 encoded
// words decoded; empty when absent or unparsable.
func (m Message) Header(name string) string {
	msg, err := netmail.ReadMessage(bytes.NewReader(m.Data))
	if err != nil {
		return ""
	}
	v := msg.Header.Get(name)
	if dec, err := new(mime.WordDecoder).DecodeHeader(v); err == nil {
		return dec
	}
	return v
}

// Text is the decoded text/plain part with LF line ends; empty when the
// message has none or cannot be parsed (Body says why).
func (m Message) Text() string {
	s, _ := m.Body("text/plain")
	return s
}

// HTML is the decoded text/html part with LF line ends; empty when the
// message has none or cannot be parsed (Body says why).
func (m Message) HTML() string {
	s, _ := m.Body("text/html")
	return s
}

// errNoPart reports a well-formed message without the wanted part.
var errNoPart = errors.New("no such part")

// Body finds the first part of media type mediaType (e.g. "text/plain"),
// descending into multipart containers, and decodes its
// Content-Transfer-Encoding (quoted-printable, base64, 7bit, 8bit). Line
// ends become LF.
func (m Message) Body(mediaType string) (string, error) {
	msg, err := netmail.ReadMessage(bytes.NewReader(m.Data))
	if err != nil {
		return "", fmt.Errorf("parse message: %w", err)
	}
	b, err := findPart(textproto.MIMEHeader(msg.Header), msg.Body, strings.ToLower(mediaType), 0)
	if err != nil {
		return "", fmt.Errorf("%s: %w", mediaType, err)
	}
	return strings.ReplaceAll(string(b), "\r\n", "\n"), nil
}

// maxDepth stops pathological nesting of multipart containers.
const maxDepth = 8

func findPart(h textproto.MIMEHeader, body io.Reader, want string, depth int) ([]byte, error) {
	ct := h.Get("Content-Type")
	if ct == "" {
		ct = "text/plain" // RFC 2045 default
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return nil, fmt.Errorf("content type %q: %w", ct, err)
	}
	switch {
	case mt == want:
		return decode(h.Get("Content-Transfer-Encoding"), body)
	case strings.HasPrefix(mt, "multipart/") && depth < maxDepth:
		return findInMultipart(multipart.NewReader(body, params["boundary"]), want, depth)
	default:
		return nil, errNoPart
	}
}

func findInMultipart(mr *multipart.Reader, want string, depth int) ([]byte, error) {
	for {
		p, err := mr.NextRawPart()
		if err == io.EOF {
			return nil, errNoPart
		}
		if err != nil {
			return nil, fmt.Errorf("multipart: %w", err)
		}
		b, err := findPart(p.Header, p, want, depth+1)
		if !errors.Is(err, errNoPart) {
			return b, err
		}
	}
}

func decode(cte string, body io.Reader) ([]byte, error) {
	switch strings.ToLower(strings.TrimSpace(cte)) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body)
	case "", "7bit", "8bit", "binary":
	default:
		return nil, fmt.Errorf("unknown transfer encoding %q", cte)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		return nil, fmt.Errorf("decode %s: %w", cte, err)
	}
	return b, nil
}
