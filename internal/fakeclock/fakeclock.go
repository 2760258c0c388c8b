// Package fakeclock holds a clock for tests of code that waits: its Sleep
// advances the time instead of waiting, and records each wait.
package fakeclock

import (
	"context"
	"sync"
	"time"
)

// Clock is a fake clock that moves only when something sleeps on it.
type Clock struct {
	mu    sync.Mutex
	now   time.Time
	slept []time.Duration
}

// New starts at start. Start at time.Now() when the code under test also
// compares against real deadlines (context.WithTimeout).
func New(start time.Time) *Clock { return &Clock{now: start} }

// Now is the fake time.
func (f *Clock) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

// Sleep moves the clock on by d at once; it fails only when ctx is done.
func (f *Clock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
	f.slept = append(f.slept, d)
	return nil
}

// Slept is every wait, in order.
func (f *Clock) Slept() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Duration(nil), f.slept...)
}

// Waited is the sum of the waits.
func (f *Clock) Waited() time.Duration {
	var t time.Duration
	for _, d := range f.Slept() {
		t += d
	}
	return t
}
