package guestpass

import "testing"

func TestNormalizeCode(t *testing.T) {
	for in, want := range map[string]string{"12345678": "12345678", "1234 5678": "12345678", "1234-5678": "12345678", " 12 34 56 78 ": "12345678"} {
		if got, ok := NormalizeCode(in); !ok || got != want {
			t.Errorf("NormalizeCode(%q) = %q, %v", in, got, ok)
		}
	}
	for _, in := range []string{"", "1234567", "123456789", "1234567a", "１２３４５６７８", "12345678\x00", "+12345678"} {
		if got, ok := NormalizeCode(in); ok {
			t.Errorf("NormalizeCode(%q) accepted as %q", in, got)
		}
	}
}

// FuzzNormalizeCode: the code form accepts exactly 8 ASCII digits, whatever
// separators surround them.
func FuzzNormalizeCode(f *testing.F) {
	for _, s := range []string{"12345678", "1234 5678", "١٢٣٤٥٦٧٨", "12-34-56-78", "", "99999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := NormalizeCode(s)
		if !ok {
			return
		}
		if len(got) != 8 {
			t.Fatalf("%q -> %q", s, got)
		}
		for i := 0; i < 8; i++ {
			if got[i] < '0' || got[i] > '9' {
				t.Fatalf("%q -> %q holds a non-digit", s, got)
			}
		}
	})
}
