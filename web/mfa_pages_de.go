package web

// German strings of the second-factor and security pages; English fills
// any gap.
func init() {
	for k, v := range map[string]string{
		"title.mfa":             "Zweiter Faktor",
		"title.recovery":        "Ihre Wiederherstellungscodes",
		"mfa.lead":              "%s verlangt einen zweiten Faktor. Geben Sie den 6-stelligen Code aus Ihrer Authenticator-App oder einen Ihrer Wiederherstellungscodes ein.",
		"mfa.register":          "%s verlangt einen zweiten Faktor. Fügen Sie dieses Konto einer Authenticator-App hinzu (etwa FreeOTP oder Google Authenticator) und geben Sie dann den 6-stelligen Code ein, den sie anzeigt.",
		"mfa.secret":            "Geheimer Schlüssel zum Eintippen in die App:",
		"mfa.uri":               "Oder öffnen Sie diesen Link auf dem Telefon mit der App:",
		"mfa.qr":                "QR-Code zum Scannen mit Ihrer Authenticator-App",
		"mfa.code":              "Code",
		"button.mfa":            "Bestätigen",
		"mfa.totpnew":           "Der geheime Schlüssel für Ihre Authenticator-App ist abgelaufen (er gilt eine Stunde).",
		"button.totpnew":        "Neuen Schlüssel anzeigen",
		"recovery.lead":         "Bewahren Sie diese Wiederherstellungscodes sicher auf. Jeder funktioniert einmal, wenn Sie Ihre Authenticator-App nicht verwenden können. Sie werden nicht erneut angezeigt.",
		"recovery.used":         "Sie haben sich mit einem Wiederherstellungscode angemeldet. Sie haben noch %d Wiederherstellungscodes.",
		"button.continue":       "Weiter",
		"err.wrong_mfa_code":    "Der Code ist nicht richtig. Prüfen Sie die Uhrzeit Ihres Telefons und versuchen Sie den neuesten Code.",
		"title.security":        "Anmeldesicherheit",
		"security.lead":         "Zweite Faktoren von %s bei %s.",
		"security.none":         "Sie haben noch keinen zweiten Faktor.",
		"security.added":        "hinzugefügt %s UTC",
		"security.totp":         "Authenticator-App",
		"security.codesleft":    "Verbleibende Wiederherstellungscodes: %d.",
		"security.fresh":        "Sie können bis %s UTC Änderungen vornehmen.",
		"security.stale":        "Zu Ihrer Sicherheit brauchen Änderungen eine Anmeldung in den letzten 10 Minuten. Wir senden Ihnen einen neuen Code (und fragen nach Ihrem zweiten Faktor) und bringen Sie dann hierher zurück.",
		"security.addlead":      "Fügen Sie dieses Konto Ihrer Authenticator-App hinzu und geben Sie dann den 6-stelligen Code ein, den sie anzeigt.",
		"security.done.added":   "Ihre neue Anmeldemethode wurde hinzugefügt. Wir haben Ihnen eine E-Mail dazu gesendet.",
		"security.done.removed": "Die Methode wurde entfernt. Wir haben Ihnen eine E-Mail dazu gesendet.",
		"security.newcodes":     "Ihre neuen Wiederherstellungscodes. Die alten funktionieren nicht mehr. Sie werden nicht erneut angezeigt.",
		"button.reauth":         "Bestätigen, dass ich es bin",
		"button.addtotp":        "Authenticator-App hinzufügen",
		"button.remove":         "Entfernen",
		"button.regenerate":     "Neue Wiederherstellungscodes",
		"err.reauth_required":   "Bestätigen Sie zu Ihrer Sicherheit, dass Sie es sind: Melden Sie sich mit einem neuen Code erneut an und nehmen Sie die Änderung dann innerhalb von 10 Minuten vor.",
		"apps.security":         "Anmeldesicherheit",
	} {
		if _, ok := catalog["de"][k]; !ok {
			catalog["de"][k] = v
		}
	}
}
