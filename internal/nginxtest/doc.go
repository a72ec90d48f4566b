// Package nginxtest starts Debian's nginx (/usr/sbin/nginx) for a test as
// an auth_request front: the app upstream behind /api/authz/auth-request of
// a GuestPass server, the Remote-* headers passed on. Everything lives in
// the test's temporary directory; the test skips when nginx is missing.
// The forward-auth tests and benchmarks share it.
//
// It may import only the standard library.
package nginxtest
