// Package fmtargs reads which arguments a fmt format string takes, so tests
// can hold every translation of a message to its English original's
// arguments. It imports only the standard library.
package fmtargs
