package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"reflect"
	"time"

	"github.com/guestpass/guestpass"
)

// maxBody bounds every API request body; the largest legitimate one (a
// tenant with long domain lists) is far smaller.
const maxBody = 64 << 10

// object is a JSON request body split into its top-level fields, so that
// every error can name the field at fault and a PATCH can tell an absent
// field from an explicit null. encoding/json alone cannot do either.
type object struct {
	prefix string // "invitedUser." for a nested object, for error messages
	fields map[string]json.RawMessage
	err    *error // the first field error, shared with nested objects
}

// readObject checks the media type and size of r's body and splits it into
// an object whose field names must all be in known.
func readObject(w http.ResponseWriter, r *http.Request, known []string) (*object, error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return nil, &statusError{http.StatusUnsupportedMediaType, "unsupported_media_type", "the request body must be Content-Type: application/json"}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, &statusError{http.StatusRequestEntityTooLarge, "request_too_large", "the request body is larger than 64 KiB"}
	}
	if err != nil {
		return nil, guestpass.Errorf(guestpass.KindInvalid, "invalid_json", "the request body could not be read")
	}
	return parseObject(body, "", known)
}

// parseObject splits one JSON object, refusing unknown and duplicate
// fields and anything after the object.
func parseObject(data []byte, prefix string, known []string) (*object, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err == io.EOF {
		return nil, invalidJSON("the request body is empty")
	}
	if err != nil {
		return nil, syntaxError(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, invalidJSON("the request body must be a JSON object")
	}
	o := &object{prefix: prefix, fields: map[string]json.RawMessage{}, err: new(error)}
	for dec.More() {
		if err := o.readField(dec, known); err != nil {
			return nil, err
		}
	}
	if _, err := dec.Token(); err != nil {
		return nil, syntaxError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, invalidJSON("unexpected data after the JSON object")
	}
	return o, nil
}

func (o *object) readField(dec *json.Decoder, known []string) error {
	tok, err := dec.Token()
	if err != nil {
		return syntaxError(err)
	}
	name, _ := tok.(string)
	if !contains(known, name) {
		return guestpass.Errorf(guestpass.KindInvalid, "unknown_field", "unknown field %q", clip(o.prefix+name))
	}
	if _, dup := o.fields[name]; dup {
		return invalidJSON("field " + o.prefix + name + " appears twice")
	}
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		return syntaxError(err)
	}
	o.fields[name] = raw
	return nil
}

func invalidJSON(msg string) error {
	return guestpass.Errorf(guestpass.KindInvalid, "invalid_json", "%s", msg)
}

func syntaxError(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return guestpass.Errorf(guestpass.KindInvalid, "invalid_json", "malformed JSON at byte %d: %v", se.Offset, se)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return invalidJSON("malformed JSON: the body ends before the object does")
	}
	return guestpass.Errorf(guestpass.KindInvalid, "invalid_json", "malformed JSON: %v", err)
}

func isNull(raw json.RawMessage) bool { return string(raw) == "null" }

// fail keeps the first decoding error, so that a body decodes as a flat list
// of assignments checked once at the end.
func (o *object) fail(err error) {
	if *o.err == nil {
		*o.err = err
	}
}

// optional decodes field name into a new T. It returns nil when the field
// is absent and a pointer to T's zero value for an explicit null: in a
// PATCH, null resets a setting to its default or empties a list.
func optional[T any](o *object, name string) *T {
	raw, ok := o.fields[name]
	if !ok || *o.err != nil {
		return nil
	}
	v := new(T)
	if isNull(raw) {
		return v
	}
	if err := json.Unmarshal(raw, v); err != nil {
		o.fail(typeError(o.prefix+name, reflect.TypeFor[T]()))
		return nil
	}
	return v
}

// value is optional for POST fields, where null and absent both mean "not
// given": it returns def then.
func value[T any](o *object, name string, def T) T {
	v := optional[T](o, name)
	if v == nil || isNull(o.fields[name]) {
		return def
	}
	return *v
}

func typeError(field string, t reflect.Type) error {
	want := "an object"
	switch t.Kind() {
	case reflect.String:
		want = "a string"
	case reflect.Bool:
		want = "true or false"
	case reflect.Int, reflect.Int64:
		want = "an integer"
	case reflect.Slice:
		want = "an array of strings"
	}
	return guestpass.Errorf(guestpass.KindInvalid, "invalid_type", "%s must be %s", field, want)
}

// maxDurationSeconds keeps an integer duration from overflowing; policy
// enforces the real bounds.
const maxDurationSeconds = 10 * 365 * 24 * 60 * 60

// duration reads an ISO 8601 or Go duration string, or whole seconds, with
// optional's absent/null rules.
func (o *object) duration(name string) *time.Duration {
	raw, ok := o.fields[name]
	if !ok || *o.err != nil {
		return nil
	}
	d := new(time.Duration)
	var str string
	var secs int64
	switch {
	case isNull(raw):
	case json.Unmarshal(raw, &str) == nil:
		v, err := guestpass.ParseDuration(str)
		if err != nil {
			o.fail(guestpass.Errorf(guestpass.KindInvalid, "invalid_duration", "%s: %s", o.prefix+name, messageOf(err)))
			return nil
		}
		*d = v
	case json.Unmarshal(raw, &secs) == nil && secs >= 0 && secs <= maxDurationSeconds:
		*d = time.Duration(secs) * time.Second
	default:
		o.fail(guestpass.Errorf(guestpass.KindInvalid, "invalid_duration", "%s must be a duration like \"PT30M\" or \"30m\", or whole seconds", o.prefix+name))
		return nil
	}
	return d
}

// nested splits field name, which must be an object with fields in known;
// its errors land in o. Absent or null gives an empty object.
func (o *object) nested(name string, known []string) *object {
	empty := &object{prefix: o.prefix + name + ".", fields: map[string]json.RawMessage{}, err: o.err}
	raw, ok := o.fields[name]
	if !ok || isNull(raw) || *o.err != nil {
		return empty
	}
	if !bytes.HasPrefix(raw, []byte("{")) {
		o.fail(typeError(o.prefix+name, reflect.TypeFor[struct{}]()))
		return empty
	}
	n, err := parseObject(raw, o.prefix+name+".", known)
	if err != nil {
		o.fail(err)
		return empty
	}
	n.err = o.err
	return n
}

// Err is the first error any field gave.
func (o *object) Err() error { return *o.err }

func messageOf(err error) string {
	var e *guestpass.Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "invalid"
}
