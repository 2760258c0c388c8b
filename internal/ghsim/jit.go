package ghsim

// Just-in-time runners: generate-jitconfig with GitHub's schema checks, a
// runner registry per target (so a second runner of the same name gets
// GitHub's 409), runner listing by name, runner removal, runner groups
// with GitHub's pagination, and faults for "registered the runner, then
// the answer was lost".

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Runner is a self-hosted runner registered in the simulator.
type Runner struct {
	ID      int64
	Name    string
	OS      string
	Status  string // "online" or "offline"
	Busy    bool
	Labels  []string
	GroupID int64
}

// RunnerGroup is a runner group of an organization or enterprise.
type RunnerGroup struct {
	ID         int64
	Name       string
	Default    bool
	Inherited  bool
	Visibility string
}

// IssuedJIT is a JIT config the simulator minted.
type IssuedJIT struct {
	Target   string // "repos/o/r", "orgs/o" or "enterprises/e"
	RunnerID int64
	Name     string
	Config   string // encoded_jit_config
}

// JITFault is what happens to one generate-jitconfig request (see FailJIT).
type JITFault int

const (
	// LoseResponse registers the runner, then drops the connection without
	// an answer, as when the answer is lost on the way back.
	LoseResponse JITFault = iota + 1
	// HangAfterCreate registers the runner, then never answers, until the
	// client gives up.
	HangAfterCreate
	// ServerErrorAfterCreate registers the runner, then answers 502.
	ServerErrorAfterCreate
	// ServerErrorBeforeCreate answers 502 and registers nothing.
	ServerErrorBeforeCreate
	// GarbageAfterCreate registers the runner, then answers 201 with a body
	// that is not JSON.
	GarbageAfterCreate
	// WrongTypeAfterCreate registers the runner, then answers 201 with the
	// runner's labels as a string instead of a list (its id is intact).
	WrongTypeAfterCreate
)

// Limits the simulator enforces as GitHub does (see internal/jit for where
// they come from).
const (
	maxRunnerName  = 64
	maxLabelLength = 256
	maxLabels      = 100
)

// jitState is the simulator's runners and groups. Its zero value is ready.
type jitState struct {
	mu      sync.Mutex
	nextID  int64
	runners map[string][]*Runner     // by lower-cased target path
	groups  map[string][]RunnerGroup // by lower-cased target path
	issued  []IssuedJIT
	faults  []JITFault
	// schedules are the states runners take, by id (schedule.go).
	schedules map[int64][]RunnerState
}

// defaultGroups is what an organization or enterprise has until
// SetRunnerGroups says otherwise: GitHub's default group, id 1.
var defaultGroups = []RunnerGroup{{ID: 1, Name: "Default", Default: true, Visibility: "all"}}

func (s *Server) jitRoutes() {
	for _, scope := range []string{"repos/{owner}/{repo}", "orgs/{org}", "enterprises/{enterprise}"} {
		runners := s.BasePath + "/" + scope + "/actions/runners"
		s.mux.HandleFunc("POST "+runners+"/generate-jitconfig", s.generateJIT)
		s.mux.HandleFunc(runners+"/generate-jitconfig", s.notFound)
		s.mux.HandleFunc("GET "+runners, s.listRunners)
		s.mux.HandleFunc(runners, s.notFound)
		s.mux.HandleFunc(runners+"/{runner_id}", s.runner)
		if scope != "repos/{owner}/{repo}" {
			groups := s.BasePath + "/" + scope + "/actions/runner-groups"
			s.mux.HandleFunc("GET "+groups, s.listRunnerGroups)
			s.mux.HandleFunc(groups, s.notFound)
		}
	}
}

// FailJIT makes the next generate-jitconfig requests that pass validation
// fail, one fault each, in order.
func (s *Server) FailJIT(faults ...JITFault) {
	s.jit.mu.Lock()
	defer s.jit.mu.Unlock()
	s.jit.faults = append(s.jit.faults, faults...)
}

// AddRunner registers r in target ("repos/o/r", "orgs/o" or
// "enterprises/e"), as if someone else had, and returns it with its id.
func (s *Server) AddRunner(target string, r Runner) Runner {
	s.jit.mu.Lock()
	defer s.jit.mu.Unlock()
	return *s.jit.register(target, r)
}

// Runners returns the runners registered in target.
func (s *Server) Runners(target string) []Runner {
	s.jit.mu.Lock()
	defer s.jit.mu.Unlock()
	var out []Runner
	for _, r := range s.jit.runners[strings.ToLower(target)] {
		out = append(out, *r)
	}
	return out
}

// SetRunnerGroups replaces the runner groups of an organization or
// enterprise ("orgs/o" or "enterprises/e").
func (s *Server) SetRunnerGroups(target string, groups ...RunnerGroup) {
	s.jit.mu.Lock()
	defer s.jit.mu.Unlock()
	if s.jit.groups == nil {
		s.jit.groups = map[string][]RunnerGroup{}
	}
	s.jit.groups[strings.ToLower(target)] = append([]RunnerGroup{}, groups...)
}

// JITConfigs returns every JIT config minted so far.
func (s *Server) JITConfigs() []IssuedJIT {
	s.jit.mu.Lock()
	defer s.jit.mu.Unlock()
	return append([]IssuedJIT(nil), s.jit.issued...)
}

func (j *jitState) register(target string, r Runner) *Runner {
	if j.runners == nil {
		j.runners = map[string][]*Runner{}
	}
	j.nextID++
	r.ID = 40 + j.nextID
	if r.Status == "" {
		r.Status = "offline"
	}
	if r.OS == "" {
		r.OS = "unknown"
	}
	if r.GroupID == 0 {
		r.GroupID = 1
	}
	k := strings.ToLower(target)
	j.runners[k] = append(j.runners[k], &r)
	return &r
}

func (j *jitState) byName(target, name string) *Runner {
	for _, r := range j.runners[strings.ToLower(target)] {
		if strings.EqualFold(r.Name, name) {
			return r
		}
	}
	return nil
}

func (j *jitState) groupsOf(target string) []RunnerGroup {
	if g, ok := j.groups[strings.ToLower(target)]; ok {
		return g
	}
	return defaultGroups
}

func (j *jitState) nextFault() JITFault {
	if len(j.faults) == 0 {
		return 0
	}
	f := j.faults[0]
	j.faults = j.faults[1:]
	return f
}

// admit does what every runner endpoint does first: authenticate, check
// that the target exists, then that the credential administers it.
func (s *Server) admit(w http.ResponseWriter, r *http.Request, docs string) (targetKey, bool) {
	cred, ok := s.authenticate(r)
	key := targetOf(r)
	switch {
	case !ok:
		s.writeError(w, http.StatusUnauthorized, "Bad credentials", "https://docs.github.com/rest")
	case !s.exists(key):
		s.writeError(w, http.StatusNotFound, "Not Found", docs)
	case !cred.administers(key):
		s.writeError(w, http.StatusForbidden, forbidden(cred.Type, key), docs)
	default:
		return key, true
	}
	return key, false
}

func scopeDocs(r *http.Request) string {
	switch {
	case r.PathValue("org") != "":
		return "an-organization"
	case r.PathValue("enterprise") != "":
		return "an-enterprise"
	}
	return "a-repository"
}

// generateJIT answers POST .../actions/runners/generate-jitconfig.
func (s *Server) generateJIT(w http.ResponseWriter, r *http.Request) {
	docs := "https://docs.github.com/rest/actions/self-hosted-runners#create-configuration-for-a-just-in-time-runner-for-" + scopeDocs(r)
	key, ok := s.admit(w, r, docs)
	if !ok {
		return
	}
	body, problem := parseJITBody(r)
	switch {
	case problem == "parse":
		s.writeError(w, http.StatusBadRequest, "Problems parsing JSON", docs)
		return
	case problem != "":
		s.writeError(w, http.StatusUnprocessableEntity, "Invalid request.\n\n"+problem, docs)
		return
	}
	var invalid []fieldError
	if body.Name == "" {
		invalid = append(invalid, fieldError{"Runner", "name", "missing_field", "Name can't be blank"})
	} else if utf8.RuneCountInString(body.Name) > maxRunnerName {
		invalid = append(invalid, fieldError{"Runner", "name", "invalid", fmt.Sprintf("Name is too long (maximum is %d characters)", maxRunnerName)})
	}
	for _, l := range body.Labels {
		switch {
		case strings.TrimSpace(l) == "":
			invalid = append(invalid, fieldError{"Runner", "labels", "invalid", "Label names can't be blank"})
		case utf8.RuneCountInString(l) > maxLabelLength:
			invalid = append(invalid, fieldError{"Runner", "labels", "invalid", fmt.Sprintf("Label name is too long (maximum is %d characters)", maxLabelLength)})
		}
	}
	if len(invalid) > 0 {
		s.writeValidationFailed(w, invalid, docs)
		return
	}

	s.jit.mu.Lock()
	if strings.HasPrefix(key.path, "repos/") {
		if body.RunnerGroupID != 1 {
			s.jit.mu.Unlock()
			s.writeValidationFailed(w, []fieldError{{"Runner", "runner_group_id", "invalid", "Repository-level runners can only be added to the default runner group"}}, docs)
			return
		}
	} else if !hasGroup(s.jit.groupsOf(key.path), body.RunnerGroupID) {
		s.jit.mu.Unlock()
		s.writeError(w, http.StatusNotFound, "Not Found", docs)
		return
	}
	if s.jit.byName(key.path, body.Name) != nil {
		s.jit.mu.Unlock()
		s.writeError(w, http.StatusConflict, "Already exists - A runner with the name "+body.Name+" already exists.", docs)
		return
	}
	fault := s.jit.nextFault()
	if fault == ServerErrorBeforeCreate {
		s.jit.mu.Unlock()
		s.writeJSON(w, http.StatusBadGateway, map[string]string{"message": "Server Error"})
		return
	}
	run := s.jit.register(key.path, Runner{Name: body.Name, Labels: body.Labels, GroupID: body.RunnerGroupID})
	cfg := encodedJITConfig(run, s.tokens.secret(key.path, 1200))
	s.jit.issued = append(s.jit.issued, IssuedJIT{Target: key.path, RunnerID: run.ID, Name: run.Name, Config: cfg})
	answer := map[string]any{"runner": runnerJSON(run), "encoded_jit_config": cfg}
	s.jit.mu.Unlock()
	s.announce(Issued{Kind: "jit", Target: key.path, Token: cfg})

	switch fault {
	case LoseResponse:
		// The server's way of dropping the connection without an answer.
		panic(http.ErrAbortHandler)
	case HangAfterCreate:
		select {
		case <-r.Context().Done():
			panic(http.ErrAbortHandler) // the client gave up, or the server closes
		case <-time.After(time.Minute):
		}
		return
	case ServerErrorAfterCreate:
		s.writeJSON(w, http.StatusBadGateway, map[string]string{"message": "Server Error"})
		return
	case GarbageAfterCreate:
		s.headers(w)
		w.WriteHeader(http.StatusCreated)
		fmt.Fprint(w, "<html><body>Created</body></html>")
		return
	case WrongTypeAfterCreate:
		answer["runner"].(map[string]any)["labels"] = "self-hosted"
	}
	s.writeJSON(w, http.StatusCreated, answer)
}

type jitBody struct {
	Name          string
	RunnerGroupID int64
	Labels        []string
	WorkFolder    string
}

// parseJITBody checks the body against the endpoint's published schema and
// returns GitHub-style text for the first problem: "parse" when the body is
// not JSON at all.
func parseJITBody(r *http.Request) (jitBody, string) {
	var raw map[string]json.RawMessage
	if err := json.NewDecoder(r.Body).Decode(&raw); err != nil || raw == nil {
		return jitBody{}, "parse"
	}
	var b jitBody
	for _, f := range []string{"name", "runner_group_id", "labels"} {
		if _, ok := raw[f]; !ok {
			return b, fmt.Sprintf("%q wasn't supplied.", f)
		}
	}
	if json.Unmarshal(raw["name"], &b.Name) != nil {
		return b, fmt.Sprintf("For 'properties/name', %s is not a string.", raw["name"])
	}
	id, err := strconv.ParseInt(strings.TrimSpace(string(raw["runner_group_id"])), 10, 64)
	if err != nil {
		return b, fmt.Sprintf("For 'properties/runner_group_id', %s is not an integer.", raw["runner_group_id"])
	}
	b.RunnerGroupID = id
	if json.Unmarshal(raw["labels"], &b.Labels) != nil || b.Labels == nil {
		return b, fmt.Sprintf("For 'properties/labels', %s is not an array of strings.", raw["labels"])
	}
	switch {
	case len(b.Labels) < 1:
		return b, "For 'properties/labels', [] has fewer items than 1."
	case len(b.Labels) > maxLabels:
		return b, fmt.Sprintf("For 'properties/labels', the array has more items than %d.", maxLabels)
	}
	if wf, ok := raw["work_folder"]; ok && json.Unmarshal(wf, &b.WorkFolder) != nil {
		return b, fmt.Sprintf("For 'properties/work_folder', %s is not a string.", wf)
	}
	return b, ""
}

func hasGroup(groups []RunnerGroup, id int64) bool {
	for _, g := range groups {
		if g.ID == id {
			return true
		}
	}
	return false
}

type fieldError struct{ resource, field, code, message string }

// writeValidationFailed writes GitHub's 422 "Validation Failed" body.
func (s *Server) writeValidationFailed(w http.ResponseWriter, errs []fieldError, docs string) {
	var list []map[string]string
	for _, e := range errs {
		list = append(list, map[string]string{"resource": e.resource, "field": e.field, "code": e.code, "message": e.message})
	}
	s.writeJSON(w, http.StatusUnprocessableEntity, map[string]any{
		"message":           "Validation Failed",
		"errors":            list,
		"documentation_url": docs,
		"status":            "422",
	})
}

func runnerJSON(r *Runner) map[string]any {
	labels := []map[string]any{}
	for i, l := range r.Labels {
		labels = append(labels, map[string]any{"id": r.ID*1000 + int64(i) + 1, "name": l, "type": "custom"})
	}
	return map[string]any{
		"id": r.ID, "name": r.Name, "os": r.OS, "status": r.Status, "busy": r.Busy,
		"labels": labels, "runner_group_id": r.GroupID, "ephemeral": true,
	}
}

// encodedJITConfig looks like GitHub's: base64 of a JSON document holding
// the runner's settings and credentials (from secret, 1200 bytes), a few
// kilobytes long.
func encodedJITConfig(r *Runner, secret []byte) string {
	doc, _ := json.Marshal(map[string]string{
		".runner":                base64.StdEncoding.EncodeToString([]byte(fmt.Sprintf(`{"agentId":%d,"agentName":%q,"poolId":%d,"workFolder":"_work"}`, r.ID, r.Name, r.GroupID))),
		".credentials":           base64.StdEncoding.EncodeToString(secret[:200]),
		".credentials_rsaparams": base64.StdEncoding.EncodeToString(secret[200:]),
	})
	return base64.StdEncoding.EncodeToString(doc)
}

// listRunners answers GET .../actions/runners, with GitHub's name filter.
func (s *Server) listRunners(w http.ResponseWriter, r *http.Request) {
	key, ok := s.admit(w, r, "https://docs.github.com/rest/actions/self-hosted-runners#list-self-hosted-runners-for-"+scopeDocs(r))
	if !ok {
		return
	}
	name := r.URL.Query().Get("name")
	s.jit.mu.Lock()
	var all []*Runner
	for _, run := range s.jit.runners[strings.ToLower(key.path)] {
		if name == "" || strings.EqualFold(run.Name, name) {
			all = append(all, run)
		}
	}
	page, total := paginate(w, r, len(all))
	shown := []map[string]any{}
	for _, run := range all[page.from:page.to] {
		if s.jit.advance(key.path, run) {
			shown = append(shown, runnerJSON(run))
		}
	}
	s.jit.mu.Unlock()
	s.writeJSON(w, http.StatusOK, map[string]any{"total_count": total, "runners": shown})
}

// runner answers GET and DELETE .../actions/runners/{runner_id}.
func (s *Server) runner(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodDelete {
		s.notFound(w, r)
		return
	}
	docs := "https://docs.github.com/rest/actions/self-hosted-runners#delete-a-self-hosted-runner-from-" + scopeDocs(r)
	key, ok := s.admit(w, r, docs)
	if !ok {
		return
	}
	id, err := strconv.ParseInt(r.PathValue("runner_id"), 10, 64)
	s.jit.mu.Lock()
	list := s.jit.runners[strings.ToLower(key.path)]
	at := -1
	for i, run := range list {
		if err == nil && run.ID == id {
			at = i
		}
	}
	if at < 0 || !s.jit.advance(key.path, list[at]) {
		s.jit.mu.Unlock()
		s.writeError(w, http.StatusNotFound, "Not Found", docs)
		return
	}
	list = s.jit.runners[strings.ToLower(key.path)]
	run := list[at]
	if r.Method == http.MethodGet {
		body := runnerJSON(run)
		s.jit.mu.Unlock()
		s.writeJSON(w, http.StatusOK, body)
		return
	}
	if run.Busy {
		s.jit.mu.Unlock()
		s.writeError(w, http.StatusUnprocessableEntity, fmt.Sprintf("Bad request - Runner %q is still running a job", run.Name), docs)
		return
	}
	s.jit.runners[strings.ToLower(key.path)] = append(list[:at:at], list[at+1:]...)
	s.jit.mu.Unlock()
	s.headers(w)
	w.WriteHeader(http.StatusNoContent)
}

// listRunnerGroups answers GET .../actions/runner-groups.
func (s *Server) listRunnerGroups(w http.ResponseWriter, r *http.Request) {
	key, ok := s.admit(w, r, "https://docs.github.com/rest/actions/self-hosted-runner-groups#list-self-hosted-runner-groups-for-"+scopeDocs(r))
	if !ok {
		return
	}
	s.jit.mu.Lock()
	groups := append([]RunnerGroup(nil), s.jit.groupsOf(key.path)...)
	s.jit.mu.Unlock()
	sort.SliceStable(groups, func(i, j int) bool { return groups[i].ID < groups[j].ID })
	var all []map[string]any
	for _, g := range groups {
		vis := g.Visibility
		if vis == "" {
			vis = "all"
		}
		base := "https://" + r.Host + s.BasePath + "/" + key.path + "/actions/runner-groups/" + strconv.FormatInt(g.ID, 10)
		all = append(all, map[string]any{
			"id": g.ID, "name": g.Name, "visibility": vis, "default": g.Default, "inherited": g.Inherited,
			"runners_url": base + "/runners", "allows_public_repositories": false,
			"restricted_to_workflows": false, "selected_workflows": []string{}, "workflow_restrictions_read_only": false,
		})
	}
	page, total := paginate(w, r, len(all))
	s.writeJSON(w, http.StatusOK, map[string]any{"total_count": total, "runner_groups": nonNil(all[page.from:page.to])})
}

func nonNil(v []map[string]any) []map[string]any {
	if v == nil {
		return []map[string]any{}
	}
	return v
}

type window struct{ from, to int }

// paginate reads per_page (default 30, at most 100) and page (default 1)
// as GitHub does, sets GitHub's Link header, and returns the slice of n
// items to show.
func paginate(w http.ResponseWriter, r *http.Request, n int) (window, int) {
	q := r.URL.Query()
	per, err := strconv.Atoi(q.Get("per_page"))
	if err != nil || per < 1 {
		per = 30
	}
	per = min(per, 100)
	page, err := strconv.Atoi(q.Get("page"))
	if err != nil || page < 1 {
		page = 1
	}
	last := max((n+per-1)/per, 1)
	link := func(p int, rel string) string {
		v := url.Values{}
		for k, vs := range q {
			v[k] = vs
		}
		v.Set("per_page", strconv.Itoa(per))
		v.Set("page", strconv.Itoa(p))
		return fmt.Sprintf(`<https://%s%s?%s>; rel="%s"`, r.Host, r.URL.Path, v.Encode(), rel)
	}
	var links []string
	if page > 1 {
		links = append(links, link(min(page-1, last), "prev"))
	}
	if page < last {
		links = append(links, link(page+1, "next"), link(last, "last"))
	}
	if page > 1 {
		links = append(links, link(1, "first"))
	}
	if len(links) > 0 {
		w.Header().Set("Link", strings.Join(links, ", "))
	}
	from := min((page-1)*per, n)
	return window{from, min(from+per, n)}, n
}
