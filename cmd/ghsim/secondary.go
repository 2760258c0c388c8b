package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/runnertoken/runner-token-action/internal/ghsim"
)

// secondaryUsage is -secondary-limit's line in ghsim -h.
const secondaryUsage = "play GitHub's secondary rate limits: a budget of `POINTS` a minute per credential (GitHub's: 900; a GET costs 1, a POST 5), " +
	"as POINTS[,retry-after=SECONDS][,concurrency=N][,burst=POINTS]; over it, or over N requests in flight, 403 with Retry-After (default 60). " +
	"The bucket holds one second's worth unless burst= says"

// setSecondaryLimit reads -secondary-limit: points a minute, then optional
// KEY=VALUE fields.
func (c *config) setSecondaryLimit(s string) error {
	first, rest, _ := strings.Cut(s, ",")
	ppm, err := strconv.Atoi(strings.TrimSpace(first))
	if err != nil || ppm < 1 {
		return fmt.Errorf("%q: start with the points a minute, a whole number from 1 (GitHub's budget is 900)", first)
	}
	l := ghsim.SecondaryLimit{PointsPerMinute: ppm}
	if rest != "" {
		fields, err := splitFields(rest, []string{"retry-after", "concurrency", "burst"})
		if err != nil {
			return err
		}
		for _, f := range fields {
			n, err := strconv.Atoi(f.value)
			if f.bare || err != nil || n < 1 {
				return fmt.Errorf("%s=%q: want a whole number from 1", f.key, f.value)
			}
			switch f.key {
			case "retry-after":
				l.RetryAfter = time.Duration(n) * time.Second
			case "concurrency":
				l.Concurrency = n
			case "burst":
				l.Burst = n
			}
		}
	}
	if c.secondary.PointsPerMinute != 0 {
		return errors.New("given twice")
	}
	c.secondary = l
	return nil
}

// describeSecondary is the line ghsim prints about the limit in force.
func describeSecondary(l ghsim.SecondaryLimit) string {
	burst := l.Burst
	if burst == 0 {
		burst = max(l.PointsPerMinute/60, 5)
	}
	ra := l.RetryAfter
	if ra == 0 {
		ra = ghsim.DefaultSecondaryRetryAfter
	}
	s := fmt.Sprintf("secondary rate limit: %d points a minute per credential (GET 1, POST 5), bucket of %d, Retry-After %ds",
		l.PointsPerMinute, burst, int(ra.Round(time.Second).Seconds()))
	if l.Concurrency > 0 {
		s += fmt.Sprintf(", at most %d requests in flight", l.Concurrency)
	}
	return s + "\n"
}
