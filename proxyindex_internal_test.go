package guestpass

import (
	"context"
	"strings"
	"testing"
)

func proxyApp(id, tenant string, hosts ...string) *Application {
	return &Application{ID: id, TenantID: tenant, Type: AppProxy, Hosts: hosts, Assignment: AssignAll}
}

// referenceLookup is the lookup by HostCandidates, the order the database
// path uses; the table must agree with it on every host.
func referenceLookup(apps []*Application, host string) string {
	byHost := map[string]string{}
	for _, a := range apps {
		for _, h := range a.Hosts {
			byHost[h] = a.ID
		}
	}
	for _, c := range HostCandidates(host) {
		if id, ok := byHost[c]; ok {
			return id
		}
	}
	return ""
}

var indexApps = []*Application{
	proxyApp("wiki", "t1", "wiki.example.com"),
	proxyApp("wikiport", "t1", "wiki.example.com:8443"),
	proxyApp("docs", "t2", "*.docs.example.com"),
	proxyApp("docsport", "t2", "*.docs.example.com:9000", "exact.docs.example.com"),
	proxyApp("local", "t3", "localhost:8081"),
	{ID: "oidc", TenantID: "t1", Type: AppOIDC, Hosts: []string{"ignored.example.com"}},
}

func TestHostTableLookup(t *testing.T) {
	tbl := newHostTable(indexApps)
	for host, want := range map[string]string{
		"wiki.example.com":            "wiki",
		"wiki.example.com:443":        "wiki",
		"wiki.example.com:8443":       "wikiport",
		"a.docs.example.com":          "docs",
		"a.docs.example.com:9000":     "docsport",
		"a.docs.example.com:9001":     "docs",
		"exact.docs.example.com":      "docsport",
		"a.b.docs.example.com":        "", // one level only
		"docs.example.com":            "",
		"localhost:8081":              "local",
		"localhost":                   "",
		"ignored.example.com":         "",
		"example.com":                 "",
		"":                            "",
		":":                           "",
		"[::1]:8081":                  "",
		"evil.com/wiki.example.com":   "",
		"wiki.example.com.":           "",
		"wiki.example.com:8443:8443":  "wikiport", // ProxyTarget refuses it first (requestHost)
		"x.docs.example.com:9000:1:2": "",
	} {
		got := ""
		if pt := tbl.lookup(host); pt != nil {
			got = pt.App.ID
		}
		if got != want {
			t.Errorf("lookup(%q) = %q, want %q", host, got, want)
		}
		if ref := referenceLookup(indexApps[:5], host); ref != got {
			t.Errorf("lookup(%q) = %q, the database order finds %q", host, got, ref)
		}
	}
}

// FuzzHostTableLookup checks the in-memory lookup of a request host (an
// X-Forwarded-Host or X-Original-URL host, outside input) against the
// database's candidate order.
func FuzzHostTableLookup(f *testing.F) {
	for _, s := range []string{"wiki.example.com", "a.docs.example.com:9000", "localhost:8081", "[::1]:80", "a:b:c", "*.docs.example.com", ".docs.example.com"} {
		f.Add(s)
	}
	tbl := newHostTable(indexApps)
	f.Fuzz(func(t *testing.T, host string) {
		host = strings.ToLower(host)
		got := ""
		if pt := tbl.lookup(host); pt != nil {
			got = pt.App.ID
		}
		if ref := referenceLookup(indexApps[:5], host); ref != got {
			t.Fatalf("lookup(%q) = %q, the database order finds %q", host, got, ref)
		}
	})
}

func TestRequestHost(t *testing.T) {
	for in, want := range map[string]string{
		"wiki.example.com":       "wiki.example.com",
		"Wiki.Example.COM:8443":  "wiki.example.com:8443",
		"localhost:8081":         "localhost:8081",
		"xn--bcher-kva.example":  "xn--bcher-kva.example",
		"":                       "",
		"wiki.example.com:":      "",
		"wiki.example.com:0":     "",
		"wiki.example.com:08":    "",
		"wiki.example.com:65536": "",
		"a:1:2":                  "",
		"[::1]:8080":             "",
		"wiki.example.com/x":     "",
		"wiki example.com":       "",
		"bücher.example":         "",
		"*.docs.example.com":     "",
		strings.Repeat("a", 254): "",
	} {
		if got, _ := requestHost(in); got != want {
			t.Errorf("requestHost(%q) = %q, want %q", in, got, want)
		}
	}
	if n := testing.AllocsPerRun(100, func() { requestHost("wiki.example.com:8443") }); n != 0 {
		t.Fatalf("requestHost allocates %v times on a lower-case host", n)
	}
}

func TestHostTableLookupAllocatesNothing(t *testing.T) {
	tbl := newHostTable(indexApps)
	if n := testing.AllocsPerRun(100, func() { tbl.lookup("a.docs.example.com:9000") }); n != 0 {
		t.Fatalf("lookup allocates %v times", n)
	}
}

func TestProxyTargetAllows(t *testing.T) {
	all := newProxyTarget(proxyApp("a", "t1", "a.example.com"))
	listed := newProxyTarget(&Application{ID: "b", Type: AppProxy, Assignment: AssignAssigned, AssignedGuestIDs: []string{"g1"}})
	if !all.Allows("anyone") || !listed.Allows("g1") || listed.Allows("g2") || listed.Allows("") {
		t.Fatal("assignment misread")
	}
}

// proxyStore serves scripted proxy applications and runs during inside the
// read, to stand for a change committed while a rebuild is in flight.
type proxyStore struct {
	Store
	apps   []*Application
	during func()
	reads  int
}

func (p *proxyStore) IndexedApplications(context.Context) ([]*Application, error) {
	p.reads++
	if p.during != nil {
		p.during()
	}
	return p.apps, nil
}

func TestProxyIndex(t *testing.T) {
	t.Run("RebuildsOnlyAfterAChange", func(t *testing.T) {
		st := &proxyStore{apps: indexApps}
		var x proxyIndex
		for range 3 {
			if _, err := x.table(t.Context(), st); err != nil {
				t.Fatal(err)
			}
		}
		x.apply(Change{Kind: ChangeSession})
		x.apply(Change{Kind: ChangeGuest})
		if _, err := x.table(t.Context(), st); err != nil || st.reads != 1 {
			t.Fatalf("%d reads for one table (err %v)", st.reads, err)
		}
		for _, k := range []ChangeKind{ChangeApps, ChangeTenant, "future"} {
			x.apply(Change{Kind: k})
			if _, err := x.table(t.Context(), st); err != nil {
				t.Fatal(err)
			}
		}
		if st.reads != 4 {
			t.Fatalf("%d reads, want one per apps, tenant and unknown change plus the first", st.reads)
		}
	})
	t.Run("LoadRacingAChangeIsNotInstalled", func(t *testing.T) {
		var x proxyIndex
		st := &proxyStore{apps: indexApps}
		st.during = func() { x.apply(Change{Kind: ChangeApps}) }
		if _, err := x.table(t.Context(), st); err != nil {
			t.Fatal(err)
		}
		if x.cur.Load() != nil {
			t.Fatal("a table read before a change was installed after it")
		}
		st.during = nil
		if _, err := x.table(t.Context(), st); err != nil || x.cur.Load() == nil {
			t.Fatalf("quiet rebuild not installed (err %v)", err)
		}
	})
}
