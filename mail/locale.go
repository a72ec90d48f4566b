package mail

import (
	"time"

	"golang.org/x/text/language"
)

// catalog holds every user-visible string of one language. Fields ending in
// a verb (%s, %[1]s) are format strings; explicit indexes let a language
// reorder its arguments. A new language is one more catalog value in its own
// file, its tag in supported and one line in catalogFor; locale_test.go
// checks that no field is left empty and that each takes the arguments of
// its English original.
type catalog struct {
	Greeting      string // no name known
	GreetingNamed string // %s: the guest's display name
	Footer        string // %s: tenant
	DateLayout    string // time.Format layout, always rendered in UTC

	InviteSubject              string // %[1]s: inviter, %[2]s: tenant
	InviteSubjectNoInviter     string // %s: tenant
	InviteIntro                string // %[1]s: inviter, %[2]s: tenant
	InviteIntroNoInviter       string // %s: tenant
	InviteMessageFrom          string // %s: inviter
	InviteMessageFromNoInviter string
	InviteWhat                 string // %s: tenant
	InviteButton               string
	InviteRawLink              string
	InviteExpires              string // %s: date
	InviteIgnore               string

	CodeSubject string // %s: tenant; never the code (subjects show in lock screens)
	CodeIntro   string // %s: tenant
	CodeLabel   string
	CodeExpires string // %s: date
	CodeNoShare string
	CodeIgnore  string

	LockSubject string // %s: tenant
	LockIntro   string // %s: tenant
	LockUntil   string // %s: date
	LockWhat    string
	LockNotYou  string // %s: tenant

	SecuritySubject       string // %s: tenant
	SecurityMethodAdded   string // %s: tenant
	SecurityMethodRemoved string // %s: tenant
	SecurityRecoveryCodes string // %s: tenant
	SecurityReview        string // before the link to the security page
	SecurityNotYou        string // %s: tenant

	// A method registered while signing in: only the emailed code came
	// before it, so a stranger with the mailbox may have set up their own.
	SecurityMethodRegistered string // %s: tenant
	SecurityRegisteredNotYou string // %s: tenant
}

// supported lists the languages with a catalog; the first is the fallback.
var supported = []language.Tag{language.English, language.German}

// matcher is built once: building one per message was 1 % of the CPU of a
// send-code storm (docs/benchmarks.md, "Group commit"). A Matcher only
// reads after construction, so goroutines may share it.
var matcher = language.NewMatcher(supported)

// catalogFor picks the catalog for a BCP 47 tag ("de-CH" → German). Anything
// unparsable or unsupported gets English: a guest must always get the mail.
func catalogFor(locale string) (*catalog, language.Tag) {
	tag, err := language.Parse(locale)
	if err != nil {
		return &english, language.English
	}
	_, i, conf := matcher.Match(tag)
	if conf == language.No {
		i = 0
	}
	switch supported[i] {
	case language.German:
		return &german, language.German
	default:
		return &english, language.English
	}
}

// formatDate renders t in UTC: the server cannot know the guest's zone,
// and UTC is unambiguous.
func (c *catalog) formatDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(c.DateLayout)
}
