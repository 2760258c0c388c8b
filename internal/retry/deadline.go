package retry

import (
	"context"
	"time"
)

// Grace is how long undoing what a flow created (removing a runner,
// revoking a token) may go on after the step's deadline passed or the job
// was cancelled: the runner kills a cancelled step within seconds.
const Grace = 5 * time.Second

type cleanupKey struct{}

// cleanupRef lets a clean-up context, and work prepared with WithCleanup,
// name the one clean-up context they share.
type cleanupRef struct{ ctx context.Context }

// Cleanup returns the context to undo work in once ctx has failed or may
// soon: it survives ctx's cancellation, but ends Grace after ctx does, and
// never later than Grace past ctx's deadline. Its deadline is visible, so
// the retry policy waits for nothing that would end after it. Given a
// clean-up context, or work prepared with WithCleanup, it returns that
// clean-up context: all the clean-ups of one step share one grace.
func Cleanup(ctx context.Context) (context.Context, context.CancelFunc) {
	if ref, ok := ctx.Value(cleanupKey{}).(*cleanupRef); ok {
		return ref.ctx, func() {}
	}
	end := time.Now().Add(Grace)
	if d, ok := ctx.Deadline(); ok && ctx.Err() == nil && d.Add(Grace).After(end) {
		end = d.Add(Grace)
	}
	ref := &cleanupRef{}
	cctx, cancel := context.WithDeadline(context.WithValue(context.WithoutCancel(ctx), cleanupKey{}, ref), end)
	ref.ctx = cctx
	// Cancelled later, while cleaning up: from then on, Grace at most.
	stop := context.AfterFunc(ctx, func() {
		t := time.AfterFunc(Grace, cancel)
		context.AfterFunc(cctx, func() { t.Stop() })
	})
	return cctx, func() { stop(); cancel() }
}

// WithCleanup prepares ctx's clean-up now, while ctx is alive, and returns
// ctx carrying it and the clean-up context itself: every Cleanup of ctx, or
// of a context derived from it, returns that same one.
func WithCleanup(ctx context.Context) (context.Context, context.Context, context.CancelFunc) {
	cctx, cancel := Cleanup(ctx)
	return context.WithValue(ctx, cleanupKey{}, cctx.Value(cleanupKey{})), cctx, cancel
}
