package main

import (
	"context"
	"net/smtp"
	"strings"
	"testing"
	"time"
)

func TestCodeIn(t *testing.T) {
	tests := []struct {
		name, msg, want string
	}{
		{"PlainBody", "Subject: Your code\r\n\r\nYour code for Bench:\r\n\r\n    12345678\r\n", "12345678"},
		{"HeaderDigitsSkipped", "Message-ID: <87654321@bench>\r\nDate: 20261125\r\n\r\ncode 12345678\r\n", "12345678"},
		{"BareNewlines", "Subject: x\n\n  01234567\n", "01234567"},
		{"LongerNumberIsNoCode", "Subject: x\r\n\r\n123456789 and 1234567\r\n", ""},
		{"DigitsInAWordAreNoCode", "Subject: x\r\n\r\nboundary=ab12345678cd\r\n", ""},
		{"NoBody", "Subject: 12345678", ""},
		{"FirstCodeWins", "\r\n\r\n11111111 then 22222222", "11111111"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := codeIn([]byte(tt.msg)); got != tt.want {
				t.Errorf("codeIn(%q) = %q, want %q", tt.msg, got, tt.want)
			}
		})
	}
}

func FuzzCodeIn(f *testing.F) {
	f.Add("Subject: x\r\n\r\n12345678")
	f.Add("\n\n")
	f.Add("")
	f.Fuzz(func(t *testing.T, msg string) {
		got := codeIn([]byte(msg))
		if got != "" && (len(got) != 8 || strings.Trim(got, "0123456789") != "") {
			t.Errorf("codeIn(%q) = %q, want 8 digits or nothing", msg, got)
		}
	})
}

func startTestSink(tb testing.TB) *sink {
	tb.Helper()
	s, err := startSink()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

func TestSinkKeepsLatestCodePerRecipient(t *testing.T) {
	s := startTestSink(t)
	addr := strings.TrimPrefix(s.URL(), "smtp://")
	send := func(to, body string) {
		t.Helper()
		msg := "From: gp@bench.example\r\nTo: " + to + "\r\nSubject: code\r\n\r\n" + body + "\r\n"
		if err := smtp.SendMail(addr, nil, "gp@bench.example", []string{to}, []byte(msg)); err != nil {
			t.Fatal(err)
		}
	}
	send("Ann@Bench.example", "code 11111111")
	send("ann@bench.example", "code 22222222")
	send("bob@bench.example", "no code here")
	if _, err := s.WaitCount(t.Context(), 3); err != nil {
		t.Fatal(err)
	}
	t.Run("LatestWinsCaseInsensitive", func(t *testing.T) {
		if got := s.Code("ANN@bench.example"); got != "22222222" {
			t.Errorf("Code(ann) = %q, want 22222222", got)
		}
	})
	t.Run("MessageWithoutCodeCounted", func(t *testing.T) {
		if got, n := s.Code("bob@bench.example"), s.Count(); got != "" || n != 3 {
			t.Errorf("Code(bob) = %q, Count = %d; want no code and 3 messages", got, n)
		}
	})
}

func TestSinkWaitCountEndsWithContext(t *testing.T) {
	s := startTestSink(t)
	ctx, cancel := context.WithTimeout(t.Context(), time.Millisecond)
	defer cancel()
	if _, err := s.WaitCount(ctx, 1); err == nil || !strings.Contains(err.Error(), "0 of 1 messages") {
		t.Errorf("WaitCount = %v, want a timeout naming the count", err)
	}
}
