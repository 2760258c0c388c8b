package ghsim

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
)

// RunnerVersion is the runner application the simulator offers by default.
const RunnerVersion = "2.321.0"

// Download is one runner application build, as GET
// .../actions/runners/downloads lists it.
type Download struct {
	OS, Architecture, DownloadURL, Filename string
	// SHA256 is empty where a server gives no checksum (older GHES).
	SHA256 string
}

// DefaultDownloads are GitHub's seven platforms for version, with
// checksums that are stable for a version (not the real files' sums: the
// simulator serves no files).
func DefaultDownloads(version string) []Download {
	var ds []Download
	for _, p := range []string{"osx-x64", "osx-arm64", "linux-x64", "linux-arm", "linux-arm64", "win-x64", "win-arm64"} {
		os, arch, _ := strings.Cut(p, "-")
		ext := ".tar.gz"
		if os == "win" {
			ext = ".zip"
		}
		file := "actions-runner-" + p + "-" + version + ext
		sum := sha256.Sum256([]byte(file))
		ds = append(ds, Download{
			OS: os, Architecture: arch, Filename: file, SHA256: hex.EncodeToString(sum[:]),
			DownloadURL: "https://github.com/actions/runner/releases/download/v" + version + "/" + file,
		})
	}
	return ds
}

// SetDownloads replaces what every target's downloads list answers.
func (s *Server) SetDownloads(ds []Download) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.downloads = append([]Download(nil), ds...)
}

func (s *Server) downloadRoutes() {
	for _, scope := range []string{"repos/{owner}/{repo}", "orgs/{org}", "enterprises/{enterprise}"} {
		path := s.BasePath + "/" + scope + "/actions/runners/downloads"
		s.mux.HandleFunc("GET "+path, s.listDownloads)
		s.mux.HandleFunc(path, s.notFound)
	}
}

// listDownloads answers GET .../actions/runners/downloads: a bare JSON
// array, with sha256_checksum only where there is one.
func (s *Server) listDownloads(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.admit(w, r, "https://docs.github.com/rest/actions/self-hosted-runners#list-runner-applications-for-"+scopeDocs(r)); !ok {
		return
	}
	s.mu.Lock()
	ds := s.downloads
	s.mu.Unlock()
	all := []map[string]any{}
	for _, d := range ds {
		m := map[string]any{"os": d.OS, "architecture": d.Architecture, "download_url": d.DownloadURL, "filename": d.Filename}
		if d.SHA256 != "" {
			m["sha256_checksum"] = d.SHA256
		}
		all = append(all, m)
	}
	s.writeJSON(w, http.StatusOK, all)
}
