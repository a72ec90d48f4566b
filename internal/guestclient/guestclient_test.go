package guestclient

import "testing"

func TestCodeIn(t *testing.T) {
	for text, want := range map[string]string{
		"Use this code:\n\n    12345678\n": "12345678",
		"code 12345678":                    "12345678",
		"12345678":                         "12345678",
		"Review: https://gp.example/t/12345678-abcd-4abc-8abc-123456789012/security\n": "",
		"https://gp.example/t/12345678-abcd/x\n\n    87654321\n":                       "87654321",
		"boundary=ab12345678cd": "",
		"123456789 and 1234567": "",
	} {
		if got := CodeIn(text); got != want {
			t.Errorf("CodeIn(%q) = %q, want %q", text, got, want)
		}
	}
}
