package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

const defaultServer = "http://127.0.0.1:8080"

// apiClient is the admin API as the CLI commands see it: JSON in, JSON out,
// and the API's {"error":{...}} answers turned into Go errors.
type apiClient struct {
	base  *url.URL
	token string
	http  *http.Client
}

// apiError is an error answer of the admin API.
type apiError struct {
	Status  int
	Code    string
	Message string
}

func (e *apiError) Error() string {
	return fmt.Sprintf("%s (%s, HTTP %d)", e.Message, e.Code, e.Status)
}

// maxAnswer bounds what the CLI reads from a server it was pointed at.
const maxAnswer = 32 << 20

// do sends body (when not nil) as JSON to path?query and returns the
// answer's JSON, which is empty for 204.
func (c *apiClient) do(ctx context.Context, method, path string, query url.Values, body any) (json.RawMessage, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, fmt.Errorf("encode request: %w", err)
		}
		rd = bytes.NewReader(b)
	}
	u := c.base.JoinPath(path)
	u.RawQuery = query.Encode()
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return nil, fmt.Errorf("%s %s: read answer: %w", method, path, err)
	}
	if resp.StatusCode >= 300 {
		return nil, answerError(resp.StatusCode, data)
	}
	if len(data) > 0 && !json.Valid(data) {
		return nil, fmt.Errorf("%s %s: the server's answer is not JSON", method, path)
	}
	return data, nil
}

// answerError reads the API's error shape, or says plainly that something
// else (a proxy, a wrong --server) answered.
func answerError(status int, data []byte) error {
	var e struct {
		Error *struct{ Code, Message string }
	}
	if json.Unmarshal(data, &e) == nil && e.Error != nil {
		return &apiError{Status: status, Code: e.Error.Code, Message: e.Error.Message}
	}
	snippet := strings.ToValidUTF8(string(data), "?")
	if len(snippet) > 200 {
		snippet = snippet[:200] + "..."
	}
	return &apiError{Status: status, Code: "unexpected_answer", Message: "the server answered: " + strings.TrimSpace(snippet)}
}

// list fetches every page of a collection, pageSize items at a time, and
// returns them as one {"value":[...]}. It follows each nextLink's
// $skiptoken on --server rather than the link itself, whose host is the
// server's public base URL.
func (c *apiClient) list(ctx context.Context, path string, query url.Values, pageSize int) (json.RawMessage, error) {
	if pageSize < 1 || pageSize > 1000 {
		return nil, fmt.Errorf("--page-size must be from 1 to 1000, not %d", pageSize)
	}
	query = cloneValues(query)
	query.Set("$top", strconv.Itoa(pageSize))
	all := []json.RawMessage{}
	for {
		data, err := c.do(ctx, http.MethodGet, path, query, nil)
		if err != nil {
			return nil, err
		}
		var page struct {
			Value    []json.RawMessage `json:"value"`
			NextLink string            `json:"nextLink"`
		}
		if err := json.Unmarshal(data, &page); err != nil {
			return nil, fmt.Errorf("GET %s: decode list: %w", path, err)
		}
		all = append(all, page.Value...)
		next, err := skipToken(page.NextLink)
		if err != nil || next == "" {
			return marshalList(all), err
		}
		query.Set("$skiptoken", next)
	}
}

func skipToken(nextLink string) (string, error) {
	if nextLink == "" {
		return "", nil
	}
	u, err := url.Parse(nextLink)
	if err != nil {
		return "", fmt.Errorf("bad nextLink from server: %w", err)
	}
	tok := u.Query().Get("$skiptoken")
	if tok == "" {
		return "", errors.New("bad nextLink from server: no $skiptoken")
	}
	return tok, nil
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

func marshalList(items []json.RawMessage) json.RawMessage {
	b, _ := json.Marshal(map[string]any{"value": items})
	return b
}

// printJSON writes an answer indented, as the CLI's output.
func printJSON(w io.Writer, data json.RawMessage) error {
	if len(data) == 0 {
		return nil
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, data, "", "  "); err != nil {
		return fmt.Errorf("format answer: %w", err)
	}
	buf.WriteByte('\n')
	_, err := w.Write(buf.Bytes())
	return err
}

// apiFlags are the connection flags of every API command. Their environment
// twins apply only when the flag is absent, and the token's value is never
// shown as a default in --help.
type apiFlags struct {
	server, token string
}

func (a *apiFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&a.server, "server", "", "admin API base URL (env GUESTPASS_SERVER; default "+defaultServer+")")
	fs.StringVar(&a.token, "token", "", "admin API bearer token (env GUESTPASS_TOKEN)")
}

func (a *apiFlags) client() (*apiClient, error) {
	server := firstOf(a.server, os.Getenv("GUESTPASS_SERVER"), defaultServer)
	token := firstOf(a.token, os.Getenv("GUESTPASS_TOKEN"))
	u, err := url.Parse(strings.TrimSuffix(server, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" {
		return nil, fmt.Errorf("--server %q must be an http(s) URL like %s", server, defaultServer)
	}
	if token == "" {
		return nil, errors.New("no admin token: give --token or set GUESTPASS_TOKEN (guestpass token create makes one)")
	}
	return &apiClient{base: u, token: token, http: &http.Client{Timeout: time.Minute}}, nil
}

func firstOf(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// newFlagSet makes a command's flag set with a usage line on top of the
// flag list.
func newFlagSet(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: guestpass %s %s\n\nflags:\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parseArgs parses flags wherever they stand among the positional
// arguments ("guest get ID --tenant T" works), which stdlib flag alone
// does not; everything after "--" is positional.
func parseArgs(fs *flag.FlagSet, args []string, positional int) ([]string, error) {
	var pos, rest []string
	for i, a := range args {
		if a == "--" {
			args, rest = args[:i], args[i+1:]
			break
		}
	}
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
	pos = append(pos, rest...)
	if len(pos) != positional {
		fs.Usage()
		return nil, fmt.Errorf("%s: expected %d argument(s), got %d", fs.Name(), positional, len(pos))
	}
	return pos, nil
}

// stringList is a repeatable flag; commas also separate values, and an
// empty value yields an empty list (how "update" clears one).
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ",") }

func (l *stringList) Set(v string) error {
	if *l == nil {
		*l = stringList{}
	}
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}

// setFlags reports which flags the command line gave.
func setFlags(fs *flag.FlagSet) map[string]bool {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	return given
}

// apiPath builds /api/v1/tenants/... from fixed segments and caller-given
// ids, escaping the ids so that one cannot name another route.
func apiPath(segments ...string) (string, error) {
	var b strings.Builder
	b.WriteString("/api/v1")
	for _, s := range segments {
		if s == "" || s == "." || s == ".." {
			return "", fmt.Errorf("invalid id %q", s)
		}
		b.WriteString("/" + url.PathEscape(s))
	}
	return b.String(), nil
}
