package retry

import (
	"context"
	"time"
)

// Grace is how long undoing what a flow created (removing a runner,
// revoking a token) may go on after the step's deadline passed or the job
// was cancelled: the runner kills a cancelled step within seconds.
const Grace = 5 * time.Second

// Cleanup returns the context to undo work in once ctx has failed or may
// soon: it survives ctx's cancellation, but ends Grace after ctx does, and
// never later than Grace past ctx's deadline. Its deadline is visible, so
// the retry policy waits for nothing that would end after it.
func Cleanup(ctx context.Context) (context.Context, context.CancelFunc) {
	end := time.Now().Add(Grace)
	if d, ok := ctx.Deadline(); ok && ctx.Err() == nil && d.Add(Grace).After(end) {
		end = d.Add(Grace)
	}
	cctx, cancel := context.WithDeadline(context.WithoutCancel(ctx), end)
	// Cancelled later, while cleaning up: from then on, Grace at most.
	stop := context.AfterFunc(ctx, func() {
		t := time.AfterFunc(Grace, cancel)
		context.AfterFunc(cctx, func() { t.Stop() })
	})
	return cctx, func() { stop(); cancel() }
}
