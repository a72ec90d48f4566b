package upstream

import (
	"encoding/json"
	"testing"
)

func TestParseClaims(t *testing.T) {
	for _, c := range []struct {
		raw      string
		verified bool
		ok       bool
	}{
		{`{"email":"a@b.example","email_verified":true,"amr":["pwd"]}`, true, true},
		{`{"email":"a@b.example","email_verified":"true"}`, true, true},
		{`{"email":"a@b.example","email_verified":false}`, false, true},
		{`{"email":"a@b.example","email_verified":"yes"}`, false, true},
		{`{"email":"a@b.example","email_verified":1}`, false, true},
		{`{"email":"a@b.example"}`, false, true},
		{`{"email":"a@b.example","Email_Verified":true}`, false, true}, // names are exact
		{`{"email":"a@b.example","EMAIL_VERIFIED":"true"}`, false, true},
		{`{"email":42}`, false, false},
		{`{"amr":"pwd"}`, false, false},
		{`[]`, false, false},
	} {
		id, err := parseClaims([]byte(c.raw))
		if (err == nil) != c.ok || err == nil && id.EmailVerified != c.verified {
			t.Errorf("%s: %+v %v, want verified %v ok %v", c.raw, id, err, c.verified, c.ok)
		}
	}
}

// FuzzParseClaims: an upstream's claims never panic the parser, and an
// address counts as verified only when email_verified is JSON true or the
// string "true".
func FuzzParseClaims(f *testing.F) {
	f.Add([]byte(`{"email":"a@b.example","email_verified":true,"amr":["pwd","mfa"]}`))
	f.Add([]byte(`{"email_verified":"true"}`))
	f.Add([]byte(`{"email_verified":"\"true\""}`))
	f.Add([]byte(`{"email_verified":null}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		id, err := parseClaims(raw)
		if err != nil {
			return
		}
		var m map[string]json.RawMessage
		if json.Unmarshal(raw, &m) != nil {
			return // e.g. null: no claims, nothing verified
		}
		v := string(m["email_verified"])
		if id.EmailVerified && v != "true" && v != `"true"` {
			t.Fatalf("email_verified %s counted as true", v)
		}
	})
}
