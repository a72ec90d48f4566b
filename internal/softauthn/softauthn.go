package softauthn

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"net/url"
	"testing"
)

// Authenticator holds credentials for any number of relying parties. Its
// exported fields shape the next answers; it is not safe for concurrent use.
type Authenticator struct {
	// Origin is the origin the "browser" reports in client data.
	Origin string
	// UserVerified sets the UV flag; BackupEligible the BE flag of new
	// credentials (a synced passkey).
	UserVerified   bool
	BackupEligible bool
	// NoCounter keeps every signature counter at 0, as synced passkeys do.
	NoCounter bool

	creds []*Credential
}

// Credential is one key pair the authenticator made.
type Credential struct {
	ID         []byte
	RPID       string
	UserHandle []byte
	Counter    uint32
	key        *ecdsa.PrivateKey
	be         bool
}

// New returns an authenticator whose browser sits at origin.
func New(origin string) *Authenticator { return &Authenticator{Origin: origin} }

// Credentials lists the credentials made so far, oldest first.
func (a *Authenticator) Credentials() []*Credential { return a.creds }

var b64 = base64.RawURLEncoding

// creationOptions and requestOptions are the parts of the relying party's
// options an authenticator reads.
type creationOptions struct {
	PublicKey struct {
		Challenge string `json:"challenge"`
		RP        struct {
			ID string `json:"id"`
		} `json:"rp"`
		User struct {
			ID string `json:"id"`
		} `json:"user"`
		Exclude []struct {
			ID string `json:"id"`
		} `json:"excludeCredentials"`
	} `json:"publicKey"`
}

type requestOptions struct {
	PublicKey struct {
		Challenge string `json:"challenge"`
		RPID      string `json:"rpId"`
		Allow     []struct {
			ID string `json:"id"`
		} `json:"allowCredentials"`
	} `json:"publicKey"`
}

// Create answers registration options with a new credential, as a browser
// posts it (PublicKeyCredential JSON with "none" attestation).
func (a *Authenticator) Create(tb testing.TB, options []byte) []byte {
	tb.Helper()
	var o creationOptions
	if err := json.Unmarshal(options, &o); err != nil {
		tb.Fatalf("softauthn: creation options: %v", err)
	}
	rpID := o.PublicKey.RP.ID
	if rpID == "" {
		rpID = a.rpID(tb)
	}
	for _, ex := range o.PublicKey.Exclude {
		if a.find(ex.ID) != nil {
			tb.Fatalf("softauthn: a credential of this authenticator is excluded")
		}
	}
	handle, err := b64.DecodeString(o.PublicKey.User.ID)
	if err != nil {
		tb.Fatalf("softauthn: user id: %v", err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	id := make([]byte, 32)
	_, _ = rand.Read(id)
	c := &Credential{ID: id, RPID: rpID, UserHandle: handle, key: key, be: a.BackupEligible}
	a.creds = append(a.creds, c)

	clientData := a.clientData("webauthn.create", o.PublicKey.Challenge)
	authData := a.authData(c, 0x40)
	authData = append(authData, make([]byte, 16)...) // AAGUID: none
	authData = binary.BigEndian.AppendUint16(authData, uint16(len(id)))
	authData = append(authData, id...)
	authData = append(authData, coseKey(&key.PublicKey)...)
	var att bytes.Buffer
	cborMap(&att, 3)
	cborText(&att, "fmt")
	cborText(&att, "none")
	cborText(&att, "attStmt")
	cborMap(&att, 0)
	cborText(&att, "authData")
	cborBytes(&att, authData)
	return mustJSON(tb, map[string]any{
		"id": b64.EncodeToString(id), "rawId": b64.EncodeToString(id), "type": "public-key",
		"clientExtensionResults": map[string]any{},
		"response": map[string]any{
			"clientDataJSON":    b64.EncodeToString(clientData),
			"attestationObject": b64.EncodeToString(att.Bytes()),
			"transports":        []string{"internal"},
		},
	})
}

// Get answers request options with the first allowed credential it holds.
func (a *Authenticator) Get(tb testing.TB, options []byte) []byte {
	tb.Helper()
	var o requestOptions
	if err := json.Unmarshal(options, &o); err != nil {
		tb.Fatalf("softauthn: request options: %v", err)
	}
	for _, al := range o.PublicKey.Allow {
		if c := a.find(al.ID); c != nil {
			return a.Assert(tb, options, c)
		}
	}
	tb.Fatal("softauthn: none of the allowed credentials is here")
	return nil
}

// Assert answers request options with credential c, allowed or not, and
// moves its counter on (unless NoCounter).
func (a *Authenticator) Assert(tb testing.TB, options []byte, c *Credential) []byte {
	tb.Helper()
	var o requestOptions
	if err := json.Unmarshal(options, &o); err != nil {
		tb.Fatalf("softauthn: request options: %v", err)
	}
	if !a.NoCounter {
		c.Counter++
	}
	clientData := a.clientData("webauthn.get", o.PublicKey.Challenge)
	authData := a.authData(c, 0)
	cdHash := sha256.Sum256(clientData)
	digest := sha256.Sum256(append(append([]byte{}, authData...), cdHash[:]...))
	sig, err := ecdsa.SignASN1(rand.Reader, c.key, digest[:])
	if err != nil {
		tb.Fatal(err)
	}
	return mustJSON(tb, map[string]any{
		"id": b64.EncodeToString(c.ID), "rawId": b64.EncodeToString(c.ID), "type": "public-key",
		"clientExtensionResults": map[string]any{},
		"response": map[string]any{
			"clientDataJSON":    b64.EncodeToString(clientData),
			"authenticatorData": b64.EncodeToString(authData),
			"signature":         b64.EncodeToString(sig),
			"userHandle":        b64.EncodeToString(c.UserHandle),
		},
	})
}

func (a *Authenticator) find(id string) *Credential {
	raw, err := b64.DecodeString(id)
	if err != nil {
		return nil
	}
	for _, c := range a.creds {
		if bytes.Equal(c.ID, raw) {
			return c
		}
	}
	return nil
}

func (a *Authenticator) rpID(tb testing.TB) string {
	u, err := url.Parse(a.Origin)
	if err != nil {
		tb.Fatalf("softauthn: origin %q: %v", a.Origin, err)
	}
	return u.Hostname()
}

func (a *Authenticator) clientData(typ, challenge string) []byte {
	b, _ := json.Marshal(map[string]any{"type": typ, "challenge": challenge, "origin": a.Origin, "crossOrigin": false})
	return b
}

// authData is rpIdHash | flags | counter (WebAuthn §6.1), with UP always
// set and extra flags (AT for a registration) or'ed in.
func (a *Authenticator) authData(c *Credential, extra byte) []byte {
	h := sha256.Sum256([]byte(c.RPID))
	flags := 0x01 | extra
	if a.UserVerified {
		flags |= 0x04
	}
	if c.be {
		flags |= 0x08
	}
	out := append([]byte{}, h[:]...)
	out = append(out, flags)
	return binary.BigEndian.AppendUint32(out, c.Counter)
}

// coseKey is an EC2 P-256 ES256 public key in COSE (RFC 9053), with its map
// keys in CTAP2 canonical order.
func coseKey(pub *ecdsa.PublicKey) []byte {
	raw, _ := pub.Bytes() // uncompressed: 0x04 | X | Y
	var b bytes.Buffer
	cborMap(&b, 5)
	cborInt(&b, 1)
	cborInt(&b, 2) // kty: EC2
	cborInt(&b, 3)
	cborInt(&b, -7) // alg: ES256
	cborInt(&b, -1)
	cborInt(&b, 1) // crv: P-256
	cborInt(&b, -2)
	cborBytes(&b, raw[1:33])
	cborInt(&b, -3)
	cborBytes(&b, raw[33:65])
	return b.Bytes()
}

func mustJSON(tb testing.TB, v any) []byte {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}
