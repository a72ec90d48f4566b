// Command guestpass runs the GuestPass service (serve), prepares its
// database (migrate), makes admin tokens (token) and speaks the admin API
// (tenant, invite, guest). main.go wires every package by hand; nothing
// else in the module imports more than one adapter.
package main
