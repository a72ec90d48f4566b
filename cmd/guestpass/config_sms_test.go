package main

import (
	"flag"
	"io"
	"strings"
	"testing"
)

func TestSMSConfig(t *testing.T) {
	t.Run("NoneIsTheConsole", func(t *testing.T) {
		c := DefaultConfig()
		if tw, err := c.twilio(); err != nil || tw != nil || c.Validate() != nil {
			t.Fatalf("%v %v", tw, err)
		}
	})
	t.Run("PartialRefused", func(t *testing.T) {
		c := DefaultConfig()
		c.SMSAccountSID = "AC1"
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "--sms-from") {
			t.Fatalf("%v", err)
		}
	})
	t.Run("FlagsAndEnvironment", func(t *testing.T) {
		t.Setenv("GUESTPASS_SMS_AUTH_TOKEN", "tok")
		c := DefaultConfig()
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		specs := c.register(fs)
		if err := parseFlags(fs, specs, []string{"--sms-account-sid", "AC1", "--sms-from", "+15005550006"}); err != nil {
			t.Fatal(err)
		}
		if tw, err := c.twilio(); err != nil || tw == nil || c.SMSAuthToken != "tok" {
			t.Fatalf("%v %v %q", tw, err, c.SMSAuthToken)
		}
	})
}
