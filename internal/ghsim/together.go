package ghsim

import (
	"net/http"
	"sync"
	"time"
)

// Together holds each of the next n requests until all n have arrived, then
// serves them as usual: requests a client makes one after the other never
// arrive together, so each waits failSafe and is served anyway. The
// returned check says whether all n were in flight at once. It replaces
// any middleware set with Wrap or Inject.
func (s *Server) Together(n int, failSafe time.Duration) (check func() bool) {
	var (
		mu      sync.Mutex
		arrived int
		missed  bool
		all     = make(chan struct{})
	)
	s.Wrap(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			arrived++
			if arrived == n {
				close(all)
			}
			wait := arrived <= n
			mu.Unlock()
			if wait {
				select {
				case <-all:
				case <-time.After(failSafe):
					mu.Lock()
					missed = true
					mu.Unlock()
				}
			}
			next.ServeHTTP(w, r)
		})
	})
	return func() bool {
		mu.Lock()
		defer mu.Unlock()
		return arrived >= n && !missed
	}
}
