// Package guestclient drives GuestPass's guest pages over HTTP the way a
// browser without JavaScript does: forms, 303 redirects and cookies. The
// end-to-end tests and the bench load driver share it.
//
// It keeps cookies itself because net/http/cookiejar never sends Secure
// cookies over http://, while browsers do for localhost (and GuestPass's
// __Host- cookies are always Secure).
//
// It may import only the standard library.
package guestclient
