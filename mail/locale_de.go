package mail

// german addresses the guest formally ("Sie"), as business mail does.
// Read-only after init.
var german = catalog{
	Greeting:      "Guten Tag,",
	GreetingNamed: "Guten Tag %s,",
	Footer: "GuestPass hat diese E-Mail im Auftrag von %s versendet. Sie wurde automatisch erstellt; " +
		"Antworten werden nicht gelesen.",
	DateLayout: "02.01.2006, 15:04 UTC",

	InviteSubject:              "%[1]s hat Sie zu %[2]s eingeladen",
	InviteSubjectNoInviter:     "Einladung zu %s",
	InviteIntro:                "%[1]s hat Sie als Gast zu %[2]s eingeladen.",
	InviteIntroNoInviter:       "%s hat Sie als Gast eingeladen.",
	InviteMessageFrom:          "Nachricht von %s:",
	InviteMessageFromNoInviter: "Nachricht der einladenden Person:",
	InviteWhat: "Als Gast können Sie die Anwendungen nutzen, die %s für Sie freigibt. Sie brauchen kein " +
		"Passwort: Bei jeder Anmeldung senden wir Ihnen einen Einmalcode an diese E-Mail-Adresse.",
	InviteButton:  "Einladung annehmen",
	InviteRawLink: "Falls die Schaltfläche nicht funktioniert, kopieren Sie diesen Link in Ihren Browser:",
	InviteExpires: "Diese Einladung ist gültig bis %s.",
	InviteIgnore: "Wenn Sie diese Einladung nicht erwartet haben, können Sie diese E-Mail ignorieren. " +
		"Es geschieht nichts, solange Sie den Link nicht öffnen und sich anmelden.",

	CodeSubject: "Ihr Anmeldecode für %s",
	CodeIntro:   "Mit diesem Code melden Sie sich bei %s an:",
	CodeLabel:   "Ihr Anmeldecode",
	CodeExpires: "Der Code ist gültig bis %s und kann nur einmal verwendet werden.",
	CodeNoShare: "Geben Sie diesen Code an niemanden weiter.",
	CodeIgnore: "Wenn Sie diesen Code nicht angefordert haben, ignorieren Sie diese E-Mail: Vielleicht hat " +
		"sich jemand bei der eigenen Adresse vertippt. Ohne den Code kann sich niemand anmelden.",

	LockSubject: "Anmeldung per Code bei %s für 1 Stunde gesperrt",
	LockIntro: "Für Ihr Gastkonto bei %s wurden zu viele falsche Anmeldecodes eingegeben. " +
		"Die Anmeldung mit einem Code per E-Mail ist deshalb für 1 Stunde gesperrt.",
	LockUntil: "Ab %s können Sie sich wieder mit einem Code anmelden.",
	LockWhat:  "Wenn Sie das waren, warten Sie eine Stunde und fordern Sie dann einen neuen Code an.",
	LockNotYou: "Wenn Sie das nicht waren, versucht möglicherweise jemand, sich als Sie anzumelden. " +
		"Ohne Zugriff auf Ihr Postfach gelingt das nicht; schützen Sie es daher gut (ändern Sie im " +
		"Zweifel das Passwort). Falls es wieder vorkommt, wenden Sie sich an Ihre Kontaktperson bei %s.",

	SecuritySubject:       "Die Anmeldemethoden Ihres Gastkontos bei %s wurden geändert",
	SecurityMethodAdded:   "Ihrem Gastkonto bei %s wurde ein zweiter Faktor (eine Authenticator-App, ein Passkey oder eine Telefonnummer) hinzugefügt.",
	SecurityMethodRemoved: "Von Ihrem Gastkonto bei %s wurde ein zweiter Faktor entfernt.",
	SecurityRecoveryCodes: "Für Ihr Gastkonto bei %s wurden neue Wiederherstellungscodes erstellt; die alten gelten nicht mehr.",
	SecurityReview:        "Ihre Anmeldemethoden prüfen:",
	SecurityNotYou: "Wenn Sie das nicht waren, melden Sie sich an, prüfen Sie Ihre Methoden sofort und informieren Sie " +
		"Ihre Kontaktperson bei %s: Möglicherweise hat jemand Zugriff auf Ihr Postfach und Ihren zweiten Faktor.",

	SecurityMethodRegistered: "Ihrem Gastkonto bei %s wurde bei der Anmeldung eine neue Anmeldemethode (eine Authenticator-App, " +
		"ein Passkey oder eine Telefonnummer) hinzugefügt, mit neuen Wiederherstellungscodes.",
	SecurityRegisteredNotYou: "Wenn Sie das nicht waren, hat jemand Zugriff auf Ihr Postfach und einen eigenen zweiten Faktor " +
		"eingerichtet: Sichern Sie Ihr Postfach (ändern Sie das Passwort) und bitten Sie Ihre Kontaktperson bei %s, " +
		"Ihre Anmeldemethoden zurückzusetzen.",
}
