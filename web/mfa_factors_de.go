package web

// German strings of passkeys and SMS codes; English fills any gap.
func init() {
	for k, v := range map[string]string{
		"mfa.lead.nototp":             "%s verlangt einen zweiten Faktor.",
		"mfa.recovery":                "Oder geben Sie einen Ihrer Wiederherstellungscodes ein:",
		"mfa.recoverycode":            "Wiederherstellungscode",
		"passkey.register":            "Oder verwenden Sie stattdessen einen Passkey",
		"passkey.registerlead":        "Ihr Gerät oder Sicherheitsschlüssel meldet Sie an, mit Fingerabdruck, Gesicht oder PIN.",
		"passkey.signin":              "Ihr Passkey",
		"passkey.signinlead":          "Melden Sie sich mit dem Passkey auf Ihrem Gerät oder Sicherheitsschlüssel an.",
		"button.passkeyadd":           "Passkey erstellen",
		"button.passkeyuse":           "Passkey verwenden",
		"passkey.cancelled":           "Der Passkey wurde nicht verwendet (abgebrochen oder Zeit abgelaufen). Versuchen Sie es erneut oder wählen Sie eine andere Methode.",
		"passkey.failed":              "Der Passkey hat nicht funktioniert. Versuchen Sie es erneut oder wählen Sie eine andere Methode.",
		"passkey.known":               "Dieses Gerät oder dieser Sicherheitsschlüssel ist bereits registriert.",
		"sms.register":                "Oder Codes per SMS erhalten",
		"sms.registerlead":            "Wir senden Ihnen bei jeder Anmeldung einen Code per SMS.",
		"sms.signin":                  "SMS",
		"sms.phone":                   "Handynummer mit Ländervorwahl",
		"button.smssend":              "Code per SMS senden",
		"button.smsto":                "Code per SMS an %s senden",
		"sms.sent":                    "Wir haben einen Code an %s gesendet. Er gilt bis %s UTC.",
		"sms.code":                    "Code aus der SMS",
		"security.passkey":            "Passkey",
		"security.sms":                "SMS an %s",
		"button.addpasskey":           "Passkey hinzufügen",
		"button.addsms":               "Telefon für SMS-Codes hinzufügen",
		"security.smslead":            "Geben Sie den Code ein, den wir an die neue Nummer gesendet haben.",
		"err.wrong_sms_code":          "Der Code ist nicht richtig. Sie können diesen Code noch %d-mal versuchen.",
		"err.wrong_sms_code_last":     "Der Code ist nicht richtig und kann nicht mehr verwendet werden. Fordern Sie einen neuen Code an.",
		"err.invalid_sms_code_format": "Geben Sie den 8-stelligen Code aus der SMS ein.",
		"err.sms_code_expired":        "Dieser Code ist abgelaufen. Fordern Sie einen neuen Code an.",
		"err.sms_code_used_up":        "Dieser Code kann nicht mehr verwendet werden. Fordern Sie einen neuen Code an.",
		"err.sms_rate_limited":        "Gerade wurde ein Code gesendet. Warten Sie eine halbe Minute, bevor Sie einen neuen anfordern.",
		"err.sms_too_many":            "Es wurden zu viele SMS gesendet. Versuchen Sie es in einer Stunde erneut oder wählen Sie eine andere Methode.",
		"err.invalid_phone":           "Geben Sie Ihre Handynummer mit Ländervorwahl ein, zum Beispiel +49 151 23456789.",
		"err.phone_registered":        "Diese Nummer ist bereits eine Ihrer Methoden.",
		"err.passkey_refused":         "Der Passkey konnte nicht bestätigt werden. Versuchen Sie es erneut oder wählen Sie eine andere Methode.",
		"err.passkey_expired":         "Diese Passkey-Anfrage ist abgelaufen oder wurde bereits verwendet. Versuchen Sie es erneut.",
		"err.passkey_cloned":          "Dieser Passkey scheint kopiert zu sein (sein Zähler ging zurück) und wird abgelehnt. Wählen Sie eine andere Methode und informieren Sie die Person, die Sie eingeladen hat.",
		"err.passkeys_unavailable":    "Passkeys sind auf diesem Server nicht verfügbar. Wählen Sie eine andere Methode.",
		"err.sms_unavailable":         "SMS sind auf diesem Server nicht verfügbar. Wählen Sie eine andere Methode.",
	} {
		if _, ok := catalog["de"][k]; !ok {
			catalog["de"][k] = v
		}
	}
}
