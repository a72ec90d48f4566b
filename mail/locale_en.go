package mail

// english is the fallback catalog. Read-only after init.
var english = catalog{
	Greeting:      "Hello,",
	GreetingNamed: "Hello %s,",
	Footer:        "GuestPass sent this email on behalf of %s. It was sent automatically; replies are not read.",
	DateLayout:    "2 January 2006, 15:04 UTC",

	InviteSubject:              "%[1]s invited you to %[2]s",
	InviteSubjectNoInviter:     "You are invited to %s",
	InviteIntro:                "%[1]s has invited you to %[2]s as a guest.",
	InviteIntroNoInviter:       "%s has invited you as a guest.",
	InviteMessageFrom:          "Message from %s:",
	InviteMessageFromNoInviter: "Message from the person who invited you:",
	InviteWhat: "As a guest you can use the apps that %s shares with you. You need no password: " +
		"each time you sign in, we send a one-time code to this email address.",
	InviteButton:  "Accept invitation",
	InviteRawLink: "If the button does not work, copy this link into your browser:",
	InviteExpires: "This invitation expires on %s.",
	InviteIgnore: "If you did not expect this invitation, you can ignore this email. " +
		"Nothing happens unless you open the link and sign in.",

	CodeSubject: "Your sign-in code for %s",
	CodeIntro:   "Use this code to sign in to %s:",
	CodeLabel:   "Your sign-in code",
	CodeExpires: "The code is valid until %s and works only once.",
	CodeNoShare: "Do not share this code with anyone.",
	CodeIgnore: "If you did not ask for this code, ignore this email: someone may have mistyped " +
		"their address. Nobody can sign in without the code.",

	LockSubject: "Code sign-in to %s is locked for 1 hour",
	LockIntro: "Too many wrong sign-in codes were entered for your guest account at %s, " +
		"so signing in with an emailed code is locked for 1 hour.",
	LockUntil: "You can sign in with a code again after %s.",
	LockWhat:  "If this was you, wait an hour, then ask for a new code.",
	LockNotYou: "If this was not you, someone may be trying to sign in as you. They cannot get in " +
		"without access to your mailbox, so keep it secure (change its password if in doubt). " +
		"If this happens again, tell your contact at %s.",

	SecuritySubject:       "The sign-in methods of your guest account at %s changed",
	SecurityMethodAdded:   "A second factor (an authenticator app, a passkey or a phone number) was added to your guest account at %s.",
	SecurityMethodRemoved: "A second factor was removed from your guest account at %s.",
	SecurityRecoveryCodes: "New recovery codes were made for your guest account at %s; the old ones no longer work.",
	SecurityReview:        "Review your sign-in methods:",
	SecurityNotYou: "If this was not you, sign in and review your methods now, and tell your contact at %s: " +
		"someone may have access to your mailbox and your second factor.",

	SecurityMethodRegistered: "A new sign-in method (an authenticator app, a passkey or a phone number) was added to your " +
		"guest account at %s while signing in, with new recovery codes.",
	SecurityRegisteredNotYou: "If this was not you, someone has access to your mailbox and set up a second factor of their own: " +
		"secure your mailbox (change its password) and ask your contact at %s to reset your sign-in methods.",
}
