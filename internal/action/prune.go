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
		h          = &handover{}
		gone       = []removed{}
		failed     []string
		rows       strings.Builder
		wouldPrune int
	)
	for _, m := range matches {
		r, o := m.Runner, pruneOutcomes[m.Outcome]
		switch m.Outcome {
		case runners.Pruned:
			gone = append(gone, removed{r.ID, r.Name.String()})
		case runners.WouldPrune:
			wouldPrune++
		case runners.PruneFailed:
			failed = append(failed, fmt.Sprintf("%s: %v", r.Describe(), m.Err))
		}
		h.log = append(h.log, fmt.Sprintf("%s %s, %s%s.", o.what, r.Describe(), r.State(), o.note))
		fmt.Fprintf(&rows, "| %s | %d | %s, %s | %s |\n", r.Name.Markdown(), r.ID, r.Status.Markdown(), r.Activity(), o.summary)
	}
	list, _ := json.Marshal(gone) // plain ids and strings: it cannot fail
	h.outputs = []output{
		{"removed-count", strconv.Itoa(len(gone)), false},
		{"removed-runners", string(list), false},
	}
	h.done = len(gone) > 0
	title := "Self-hosted runners pruned"
	switch {
	case req.DryRun:
		title = "Self-hosted runners to prune (dry run: none removed)"
		h.log = append(h.log, fmt.Sprintf("Dry run: %d runners of %s would be removed; none was.", wouldPrune, t))
		if wouldPrune > req.MaxRemovals {
			h.warnings = append(h.warnings, fmt.Sprintf("%d runners match, more than max-removals (%d): without dry-run, this step would remove none and fail.", wouldPrune, req.MaxRemovals))
		}
	case len(matches) == 0:
		h.log = append(h.log, fmt.Sprintf("No runner of %s matches %s: nothing to remove.", t, filters))
	default:
		h.log = append(h.log, fmt.Sprintf("Removed %d runners from %s.", len(gone), t))
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

// pruneOutcomes says what became of a runner that matched: what the log
// line starts with and ends with, and the summary's "What happened".
var pruneOutcomes = map[runners.PruneOutcome]struct{ what, note, summary string }{
	runners.Pruned:         {"Removed", "", "removed"},
	runners.WouldPrune:     {"Would remove", "", "would be removed (dry run)"},
	runners.SkippedActive:  {"Skipped", ": only offline, idle runners are removed", "skipped: not offline and idle"},
	runners.SkippedTookJob: {"Skipped", ": GitHub refused to remove it, as it took a job since it was listed", "skipped: it took a job since it was listed"},
	runners.SkippedGone:    {"Skipped", ": someone else removed it meanwhile", "skipped: removed by someone else meanwhile"},
	runners.PruneFailed:    {"Could not remove", ": see the error", "failed: see the error"},
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
