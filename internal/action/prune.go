package action

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/google/go-github/v66/github"

	"github.com/runnertoken/runner-token-action/internal/config"
	"github.com/runnertoken/runner-token-action/internal/runners"
)

// pruneRunners removes the target's offline, idle runners that match the
// filters, or with dry-run lists them. Removals that happened are reported
// whatever else failed; the step then fails naming the failures.
func (s *step) pruneRunners(ctx context.Context, client *github.Client, cfg *config.Config) (*handover, error) {
	t, req := cfg.Target, cfg.Prune
	filters := pruneFilters(req)
	verb := "Pruning"
	if req.DryRun {
		verb = "Dry run: listing"
	}
	s.info("%s the offline, idle runners of %s at %s with %s (at most %d)", verb, t, cfg.API.Redacted(), filters, req.MaxRemovals)
	matches, err := runners.Prune(ctx, client, t, req)
	if err != nil {
		return nil, err
	}
	type removed struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
	}
	var (
		gone       = []removed{}
		failed     []string
		log        []string
		rows       strings.Builder
		wouldPrune int
	)
	for _, m := range matches {
		r := m.Runner
		var what, why, note string // why: the summary's; note: the log line's end
		switch m.Outcome {
		case runners.Pruned:
			gone = append(gone, removed{r.ID, r.Name.String()})
			what, why = "Removed", "removed"
		case runners.WouldPrune:
			wouldPrune++
			what, why = "Would remove", "would be removed (dry run)"
		case runners.SkippedActive:
			what, why, note = "Skipped", "skipped: not offline and idle", ": only offline, idle runners are removed"
		case runners.SkippedTookJob:
			what, why, note = "Skipped", "skipped: it took a job since it was listed", ": GitHub refused to remove it, as it took a job since it was listed"
		case runners.SkippedGone:
			what, why, note = "Skipped", "skipped: removed by someone else meanwhile", ": someone else removed it meanwhile"
		case runners.PruneFailed:
			failed = append(failed, fmt.Sprintf("%s: %v", r.Describe(), m.Err))
			what, why, note = "Could not remove", "failed: see the error", ": see the error"
		}
		log = append(log, fmt.Sprintf("%s %s, %s%s.", what, r.Describe(), r.State(), note))
		fmt.Fprintf(&rows, "| %s | %d | %s, %s | %s |\n", r.Name.Markdown(), r.ID, r.Status.Markdown(), r.Activity(), why)
	}
	list, _ := json.Marshal(gone) // plain ids and strings: it cannot fail
	title := "Self-hosted runners pruned"
	switch {
	case req.DryRun:
		title = "Self-hosted runners to prune (dry run: none removed)"
		log = append(log, fmt.Sprintf("Dry run: %d runners of %s would be removed; none was.", wouldPrune, t))
	case len(matches) == 0:
		log = append(log, fmt.Sprintf("No runner of %s matches %s: nothing to remove.", t, filters))
	default:
		log = append(log, fmt.Sprintf("Removed %d runners from %s.", len(gone), t))
	}
	h := &handover{
		outputs: []output{
			{"removed-count", strconv.Itoa(len(gone)), false},
			{"removed-runners", string(list), false},
		},
		log:  log,
		done: len(gone) > 0,
	}
	if req.DryRun && wouldPrune > req.MaxRemovals {
		h.warnings = append(h.warnings, fmt.Sprintf("%d runners match, more than max-removals (%d): without dry-run, this step would remove none and fail.", wouldPrune, req.MaxRemovals))
	}
	if len(failed) > 0 {
		h.fail = fmt.Errorf("could not remove %d of the runners to prune from %s (the others were removed or skipped; the summary lists them): %s",
			len(failed), t, strings.Join(failed, "; "))
	}
	h.summary = fmt.Sprintf("### %s\n\n| | |\n|---|---|\n| Target | %s `%s` |\n| Filters | %s |\n| Removed | %d |\n", title, t.Scope, t.Name(), strings.ReplaceAll(filters, "|", "\\|"), len(gone))
	if len(matches) > 0 {
		h.summary += "\n| Runner | ID | Status | What happened |\n|---|---|---|---|\n" + rows.String()
	}
	return h, nil
}

// pruneFilters says what a prune matches, e.g. `name prefix "vm-" and labels gpu, linux`.
func pruneFilters(req config.PruneRequest) string {
	var f []string
	if req.Prefix != "" {
		f = append(f, fmt.Sprintf("name prefix %q", req.Prefix))
	}
	if len(req.Labels) > 0 {
		f = append(f, "labels "+strings.Join(req.Labels, ", "))
	}
	return strings.Join(f, " and ")
}
