package web

// Strings of the tenant's mfaMethods policy (docs/mfa.md): a registration
// without the authenticator app, a guest whose methods the tenant no
// longer accepts, and methods marked so on the security page.
func init() {
	for lang, m := range map[string]map[string]string{
		"en": {
			"mfa.register.nototp":        "%s requires a second factor. Set one up below.",
			"mfa.stranded":               "%s no longer accepts the second factor you have. Enter one of your recovery codes, then set up a second factor it accepts. Without recovery codes, ask the person who invited you to reset your sign-in methods.",
			"passkey.registerfirst":      "Use a passkey",
			"sms.registerfirst":          "Get codes by text message",
			"security.refused":           "no longer accepted by %s",
			"err.mfa_method_not_allowed": "%s does not accept this kind of second factor. Use another method.",
			"err.recovery_code_required": "%s no longer accepts the second factors you have. Enter one of your recovery codes, then set up one it accepts.",
			"err.mfa_unavailable":        "%s requires a second factor, but none of the kinds it accepts is available here. Contact the person who invited you.",
		},
		"de": {
			"mfa.register.nototp":        "%s verlangt einen zweiten Faktor. Richten Sie unten einen ein.",
			"mfa.stranded":               "%s akzeptiert Ihren zweiten Faktor nicht mehr. Geben Sie einen Ihrer Wiederherstellungscodes ein und richten Sie dann einen zweiten Faktor ein, den die Organisation akzeptiert. Ohne Wiederherstellungscodes bitten Sie die Person, die Sie eingeladen hat, Ihre Anmeldemethoden zurückzusetzen.",
			"passkey.registerfirst":      "Einen Passkey verwenden",
			"sms.registerfirst":          "Codes per SMS erhalten",
			"security.refused":           "wird von %s nicht mehr akzeptiert",
			"err.mfa_method_not_allowed": "%s akzeptiert diese Art von zweitem Faktor nicht. Wählen Sie eine andere Methode.",
			"err.recovery_code_required": "%s akzeptiert Ihre zweiten Faktoren nicht mehr. Geben Sie einen Ihrer Wiederherstellungscodes ein und richten Sie dann einen ein, den die Organisation akzeptiert.",
			"err.mfa_unavailable":        "%s verlangt einen zweiten Faktor, aber keine der akzeptierten Arten ist hier verfügbar. Wenden Sie sich an die Person, die Sie eingeladen hat.",
		},
	} {
		for k, v := range m {
			if _, ok := catalog[lang][k]; !ok {
				catalog[lang][k] = v
			}
		}
	}
}
