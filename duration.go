package guestpass

import (
	"strconv"
	"strings"
	"time"
)

// FormatDuration writes an ISO 8601 duration the way Microsoft Graph does
// ("PT30M", "PT24H", "P30D"): the admin API speaks that dialect.
func FormatDuration(d time.Duration) string {
	if d == 0 {
		return "PT0S"
	}
	var b strings.Builder
	b.WriteString("P")
	if days := d / (24 * time.Hour); days > 0 && d%(24*time.Hour) == 0 {
		b.WriteString(strconv.FormatInt(int64(days), 10) + "D")
		return b.String()
	}
	b.WriteString("T")
	h, m, s := d/time.Hour, d%time.Hour/time.Minute, d%time.Minute/time.Second
	if h > 0 {
		b.WriteString(strconv.FormatInt(int64(h), 10) + "H")
	}
	if m > 0 {
		b.WriteString(strconv.FormatInt(int64(m), 10) + "M")
	}
	if s > 0 {
		b.WriteString(strconv.FormatInt(int64(s), 10) + "S")
	}
	return b.String()
}

// ParseDuration accepts ISO 8601 durations with days, hours, minutes and
// seconds ("P1DT12H", "PT30M") and Go durations ("30m", "24h").
func ParseDuration(s string) (time.Duration, error) {
	bad := Errorf(KindInvalid, "invalid_duration", "%s is not a duration like PT30M or 30m", quoteSafe(s))
	if len(s) > 64 {
		return 0, bad
	}
	if !strings.HasPrefix(s, "P") {
		d, err := time.ParseDuration(s)
		if err != nil || d < 0 {
			return 0, bad
		}
		return d, nil
	}
	var total time.Duration
	inTime, any, timeAny := false, false, false
	num := ""
	for _, c := range s[1:] {
		switch {
		case c >= '0' && c <= '9':
			num += string(c)
		case c == 'T' && !inTime && num == "":
			inTime = true
		default:
			unit, ok := isoUnit(c, inTime)
			n, err := strconv.ParseInt(num, 10, 32)
			// Bound every term before multiplying: int64 nanoseconds
			// overflow near 292 years, and a wrapped product turns negative.
			if !ok || err != nil || time.Duration(n) > (maxDuration-total)/unit {
				return 0, bad
			}
			total += time.Duration(n) * unit
			num, any, timeAny = "", true, inTime
		}
	}
	if num != "" || !any || inTime && !timeAny || total > maxDuration {
		return 0, bad
	}
	return total, nil
}

// maxDuration is the longest duration any setting accepts (ten years).
const maxDuration = 10 * 365 * 24 * time.Hour

func isoUnit(c rune, inTime bool) (time.Duration, bool) {
	switch {
	case c == 'D' && !inTime:
		return 24 * time.Hour, true
	case c == 'W' && !inTime:
		return 7 * 24 * time.Hour, true
	case c == 'H' && inTime:
		return time.Hour, true
	case c == 'M' && inTime:
		return time.Minute, true
	case c == 'S' && inTime:
		return time.Second, true
	}
	return 0, false
}
