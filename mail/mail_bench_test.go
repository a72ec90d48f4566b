package mail

import (
	"testing"
	"time"

	"github.com/guestpass/guestpass"
	"github.com/guestpass/guestpass/mail/smtptest"
)

func benchMessage() *guestpass.Message {
	return &guestpass.Message{Kind: guestpass.MailCode, To: "jane@example.com", TenantName: "Contoso",
		Code: "12345678", ExpiresAt: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
}

// BenchmarkSend is what SMTP does: a new connection for every message.
func BenchmarkSend(b *testing.B) {
	srv := smtptest.Start(b)
	s, err := NewSMTP(srv.URL(), "no-reply@localhost")
	if err != nil {
		b.Fatal(err)
	}
	m := benchMessage()
	for b.Loop() {
		if err := s.Send(b.Context(), m); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSendReusedConnection is the alternative SMTP does not take: one
// go-mail session kept open for every message. The difference is the price
// of a connection per Send.
func BenchmarkSendReusedConnection(b *testing.B) {
	srv := smtptest.Start(b)
	s, err := NewSMTP(srv.URL(), "no-reply@localhost")
	if err != nil {
		b.Fatal(err)
	}
	client, err := s.newClient(nil)
	if err != nil {
		b.Fatal(err)
	}
	session, err := client.DialToSMTPClientWithContext(b.Context())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = client.CloseWithSMTPClient(session) })
	m := benchMessage()
	for b.Loop() {
		msg, err := s.message(m)
		if err != nil {
			b.Fatal(err)
		}
		if err := client.SendWithSMTPClient(session, msg); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRender isolates the template work from the network.
func BenchmarkRender(b *testing.B) {
	m := benchMessage()
	for b.Loop() {
		if _, err := Render(m); err != nil {
			b.Fatal(err)
		}
	}
}
