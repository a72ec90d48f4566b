// Package sms delivers text messages for GuestPass: Twilio for real use
// (any provider that speaks Twilio's Messages API, reached over HTTPS with
// basic auth) and Console for development when no provider is configured.
// Both implement guestpass.TextSender.
//
// Twilio classifies failures like the mail adapter: a 4xx answer other
// than 429 (bad number, bad credentials, unverified sender) wraps
// guestpass.ErrTextPermanent; 429, 5xx and transport errors are temporary.
//
// It may import the root package and the standard library; never another
// package of this module. deps_test.go enforces this.
package sms
