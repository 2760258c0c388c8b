// Package clock holds a fake clock for tests of code that waits: its Sleep
// advances the time instead of waiting, and records each wait.
package clock

import (
	"context"
	"sync"
	"time"
)

// Fake is a clock that moves only when something sleeps on it.
type Fake struct {
	mu    sync.Mutex
	now   time.Time
	slept []time.Duration
}

// NewFake starts at start. Start at time.Now() when the code under test also
// compares against real deadlines (context.WithTimeout).
func NewFake(start time.Time) *Fake { return &Fake{now: start} }

// Now is the fake time.
func (f *Fake) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

// Sleep moves the clock on by d at once; it fails only when ctx is done.
func (f *Fake) Sleep(ctx context.Context, d time.Duration) error {
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
func (f *Fake) Slept() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Duration(nil), f.slept...)
}

// Waited is the sum of the waits.
func (f *Fake) Waited() time.Duration {
	var t time.Duration
	for _, d := range f.Slept() {
		t += d
	}
	return t
}
