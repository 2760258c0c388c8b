package githubapi

import (
	"strings"
	"time"
)

// ParseTime reads a time as RFC 3339 writes it, which allows a lower-case
// "t" and "z" (RFC 3339, section 5.6) where Go's layout wants upper case.
func ParseTime(s string) (time.Time, error) {
	return time.Parse(time.RFC3339, strings.ToUpper(s))
}
