module github.com/runnertoken/runner-token-action

go 1.26.8

require (
	github.com/google/go-cmp v0.6.0
	github.com/google/go-github/v66 v66.0.0
	github.com/sethvargo/go-envconfig v1.1.0
	github.com/sethvargo/go-githubactions v1.3.0
)

require github.com/google/go-querystring v1.1.0 // indirect
