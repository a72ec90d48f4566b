package guestpass

import "context"

// TextSender delivers one text message (SMS) to a phone number in E.164
// form (+4915123456789). Implementations: sms.Twilio (any provider with
// Twilio's Messages API) and sms.Console for development.
//
// SendText returns an error wrapping ErrTextPermanent when retrying cannot
// help (a number the provider refuses, bad credentials); any other error is
// temporary. The body may hold a one-time code: implementations never log
// it (sms.Console, like mail.Console, prints it on purpose, for
// development only).
type TextSender interface {
	SendText(ctx context.Context, to, body string) error
}

// ErrTextPermanent marks a text delivery failure that retrying cannot fix.
var ErrTextPermanent = &Error{Kind: KindInvalid, Code: "text_permanent", Message: "text message permanently refused"}
