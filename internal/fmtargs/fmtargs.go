package fmtargs

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// Args lists, for each argument a format consumes (by position, from 0),
// the verbs it is formatted with: "s", "d", "ds" for one used twice with
// different verbs, "*" for a width or precision. An argument the format
// skips (only possible with explicit indexes, "%[2]s") is "". Two formats
// that take the same arguments give equal lists whatever their text and
// the order they show the arguments in ("%[2]s %[1]s" is ["s","s"]).
//
// It follows fmt's rules for flags, explicit indexes, '*' widths and
// precisions, and refuses what fmt would print as an error (a verb
// missing at the end, an index out of 1..99, "%!"), and verbs outside
// fmt's set.
func Args(format string) ([]string, error) {
	p := &parser{format: format}
	for p.i < len(format) {
		if format[p.i] != '%' {
			p.i++
			continue
		}
		if err := p.directive(); err != nil {
			return nil, fmt.Errorf("%q at %d: %w", format[p.start:min(p.i, len(format))], p.start, err)
		}
	}
	out := make([]string, len(p.used))
	for n, v := range p.used {
		slices.Sort(v)
		out[n] = string(v)
	}
	return out, nil
}

// verbs are fmt's verbs ('%' apart).
const verbs = "bcdeEfFgGopqstTUvxX"

// parser walks a format as fmt's doPrintf does.
type parser struct {
	format     string
	i, start   int
	arg        int  // the argument the next verb or '*' takes
	afterIndex bool // "[n]" was just read
	used       [][]byte
}

func (p *parser) use(verb byte) {
	for len(p.used) <= p.arg {
		p.used = append(p.used, nil)
	}
	if !slices.Contains(p.used[p.arg], verb) {
		p.used[p.arg] = append(p.used[p.arg], verb)
	}
	p.arg++
}

func (p *parser) at(c byte) bool { return p.i < len(p.format) && p.format[p.i] == c }

// directive reads one "%..." from p.i: flags, "[n]", a width (digits or
// '*'), a precision ('.', "[n]", digits or '*'), "[n]" before the verb,
// and the verb. An index directly before a width or precision is refused,
// as fmt refuses it.
func (p *parser) directive() error {
	p.start = p.i
	p.i++
	for p.i < len(p.format) && strings.IndexByte("+-# 0", p.format[p.i]) >= 0 {
		p.i++
	}
	p.afterIndex = false
	if err := p.index(); err != nil {
		return err
	}
	if !p.star() {
		width, err := p.digits()
		if err != nil {
			return err
		}
		if width && p.afterIndex {
			return fmt.Errorf("an argument index before a width")
		}
	}
	if p.i+1 < len(p.format) && p.at('.') {
		if p.afterIndex {
			return fmt.Errorf("an argument index before a precision")
		}
		p.i++
		if err := p.index(); err != nil {
			return err
		}
		if !p.star() {
			if _, err := p.digits(); err != nil {
				return err
			}
		}
	}
	if !p.afterIndex {
		if err := p.index(); err != nil {
			return err
		}
	}
	if p.i >= len(p.format) {
		return fmt.Errorf("no verb")
	}
	verb, size := utf8.DecodeRuneInString(p.format[p.i:])
	p.i += size
	switch {
	case verb == '%': // takes no argument
	case verb < utf8.RuneSelf && strings.IndexByte(verbs, byte(verb)) >= 0:
		p.use(byte(verb))
	default:
		return fmt.Errorf("unknown verb %q", verb)
	}
	return nil
}

// index reads an optional "[n]", which makes argument n-1 the next.
func (p *parser) index() error {
	if !p.at('[') {
		return nil
	}
	end := strings.IndexByte(p.format[p.i:], ']')
	if end < 0 {
		p.i = len(p.format)
		return fmt.Errorf("unclosed argument index")
	}
	digits := p.format[p.i+1 : p.i+end]
	p.i += end + 1
	n := 0
	for _, c := range []byte(digits) {
		if c < '0' || c > '9' {
			n = 0
			break
		}
		n = n*10 + int(c-'0')
	}
	if n < 1 || n > 99 || len(digits) > 2 {
		return fmt.Errorf("argument index must be 1 to 99")
	}
	p.arg, p.afterIndex = n-1, true
	return nil
}

// star reads a '*' width or precision, which takes an int argument.
func (p *parser) star() bool {
	if !p.at('*') {
		return false
	}
	p.use('*')
	p.i++
	p.afterIndex = false
	return true
}

// digits reads a number; fmt gives up on the rest of the format at a
// digit after one over a million.
func (p *parser) digits() (bool, error) {
	start, n := p.i, 0
	for ; p.i < len(p.format) && p.format[p.i] >= '0' && p.format[p.i] <= '9'; p.i++ {
		if n > 1e6 {
			return false, fmt.Errorf("width or precision too large")
		}
		n = n*10 + int(p.format[p.i]-'0')
	}
	return p.i > start, nil
}

// Diff says how a translation's arguments differ from the original's, or
// "" when it takes the same ones.
func Diff(original, translation []string) string {
	if slices.Equal(original, translation) {
		return ""
	}
	return fmt.Sprintf("takes %s, the original takes %s", describe(translation), describe(original))
}

func describe(args []string) string {
	if len(args) == 0 {
		return "no arguments"
	}
	parts := make([]string, len(args))
	for i, v := range args {
		if v == "" {
			parts[i] = fmt.Sprintf("%d: unused", i+1)
			continue
		}
		parts[i] = fmt.Sprintf("%d: %%%s", i+1, strings.Join(strings.Split(v, ""), " %"))
	}
	return "[" + strings.Join(parts, ", ") + "]"
}
