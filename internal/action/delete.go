package action

import (
	"cmp"
	"context"
	"fmt"
	"strconv"

	"github.com/google/go-github/v66/github"

	"github.com/runnertoken/runner-token-action/internal/config"
	"github.com/runnertoken/runner-token-action/internal/runners"
	"github.com/runnertoken/runner-token-action/internal/target"
)

// deleteRunner removes the runner cfg names, unless it is running a job.
// One that is already gone is success, said in a notice: the clean-up job
// that runs it after a VM never came up must not fail for that. Once the
// runner is removed, that is what the step reports.
func (s *step) deleteRunner(ctx context.Context, client *github.Client, cfg *config.Config) (*handover, error) {
	t, ref := cfg.Target, cfg.Runner
	s.info("Removing %s from %s at %s", ref, t, cfg.API.Redacted())
	r, outcome, err := runners.Delete(ctx, client, t, ref)
	if err != nil {
		return nil, err
	}
	shown := ref.String()
	if r.ID != 0 && !r.Name.IsEmpty() {
		shown = r.Describe()
	}
	h := &handover{done: outcome == runners.Removed}
	title := "Self-hosted runner already gone"
	switch outcome {
	case runners.Removed:
		title = "Self-hosted runner removed"
		h.log = []string{fmt.Sprintf("Removed %s from %s; it was %s.", shown, t, r.State())}
	case runners.RemovedByOther:
		h.notice = fmt.Sprintf("%s was removed from %s by someone else while this step ran: nothing left to remove (deleted=false).", shown, t)
	default:
		h.notice = fmt.Sprintf("%s is not registered in %s: nothing to remove (deleted=false).", shown, t)
	}
	var outputs []output
	outputs, h.summary = aboutRunner(title, r, t)
	h.outputs = append([]output{{"deleted", strconv.FormatBool(h.done), false}}, outputs...)
	return h, nil
}

// aboutRunner is what delete-runner and wait hand over of the runner they
// looked at: its id ("" if unknown) and name as outputs, and the summary's
// head, titled title.
func aboutRunner(title string, r *runners.Runner, t target.Target) ([]output, string) {
	id := ""
	if r.ID != 0 {
		id = strconv.FormatInt(r.ID, 10)
	}
	return []output{{"runner-id", id, false}, {"runner-name", r.Name.String(), false}},
		fmt.Sprintf("### %s\n\n| | |\n|---|---|\n| Runner | %s |\n| Runner ID | %s |\n| Target | %s `%s` |\n", title, r.Name.Markdown(), cmp.Or(id, "(unknown)"), t.Scope, t.Name())
}
