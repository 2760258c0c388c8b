# syntax=docker/dockerfile:1

# Build: the Go version here must match go.mod's go line (a test checks it).
FROM golang:1.26.8-alpine AS build
WORKDIR /src
COPY go.mod go.sum ./
COPY main.go ./
COPY internal/ internal/
# Static (no cgo), reproducible paths, stripped of symbols and DWARF. go build
# fetches only the modules the binary needs, not the test-only ones.
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -ldflags="-s -w -buildid=" -o /out/runner-token-action .

# Run: a few MB, with CA certificates and nothing else.
FROM gcr.io/distroless/static-debian12
COPY --from=build /out/runner-token-action /runner-token-action
# No USER line on purpose: GitHub runs container actions as root, and the
# file-command files it mounts (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY) are
# writable only by the runner's user, which a non-root user here may not be.
ENTRYPOINT ["/runner-token-action"]
