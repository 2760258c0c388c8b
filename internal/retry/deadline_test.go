package retry

import (
	"context"
	"testing"
	"time"
)

func TestCleanup(t *testing.T) {
	t.Parallel()
	t.Run("ends Grace after the step's deadline", func(t *testing.T) {
		t.Parallel()
		deadline := time.Now().Add(time.Minute)
		ctx, cancel := context.WithDeadline(context.Background(), deadline)
		defer cancel()
		cctx, ccancel := Cleanup(ctx)
		defer ccancel()
		if d, _ := cctx.Deadline(); !d.Equal(deadline.Add(Grace)) {
			t.Errorf("deadline = %s, want the step's plus %s", d, Grace)
		}
	})
	t.Run("after cancellation, Grace from then", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
		cctx, ccancel := Cleanup(ctx)
		defer ccancel()
		start := time.Now()
		cancel()
		if cctx.Err() != nil {
			t.Fatal("the clean-up ended with the step")
		}
		// Ending is what matters, not when to the millisecond: the step's
		// own deadline is an hour away, so only the grace can end it. The
		// minute is a fail-safe against hanging the test, not a measurement.
		select {
		case <-cctx.Done():
			if took := time.Since(start); took < Grace {
				t.Errorf("the clean-up ended %s after cancellation, before its %s grace", took, Grace)
			}
		case <-time.After(time.Minute):
			t.Errorf("the clean-up outlived the cancelled step by a minute, want %s", Grace)
		}
	})
	t.Run("already cancelled", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		cctx, ccancel := Cleanup(ctx)
		defer ccancel()
		if d, ok := cctx.Deadline(); !ok || time.Until(d) > Grace {
			t.Errorf("deadline %s, want within %s", d, Grace)
		}
	})
	t.Run("one inside another shares the grace", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		outer, ocancel := Cleanup(ctx)
		defer ocancel()
		inner, icancel := Cleanup(outer)
		defer icancel()
		od, _ := outer.Deadline()
		if id, _ := inner.Deadline(); !id.Equal(od) {
			t.Errorf("inner deadline %s, want the outer's %s", id, od)
		}
	})
	t.Run("work prepared with WithCleanup shares it", func(t *testing.T) {
		t.Parallel()
		step, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		step, a, stop := WithCleanup(step)
		defer stop()
		if got, _ := Cleanup(step); got != a {
			t.Error("Cleanup of the prepared step is not its clean-up context")
		}
		work, cancelWork := context.WithCancel(step)
		cancelWork()
		b, _ := Cleanup(work)
		if a != b {
			t.Error("two clean-ups of one step, each with its own grace")
		}
	})
}
