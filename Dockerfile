# Build: Go's major.minor here must match go.mod's go line (a test checks it).
# Base images are pinned by tag and digest; Dependabot keeps them current.
# The builder runs on the build machine's platform and cross-compiles for
# the image's (the release builds linux/amd64 and linux/arm64 without QEMU);
# a plain docker build, as the runner does for @main, gets the host for both.
FROM --platform=$BUILDPLATFORM golang:1.26.8-alpine@sha256:8ac98ca534ac3f51e1f420a1dd2c15e74c75cfa0f23f3ad27eb5d7236c349a0c AS build
ARG TARGETOS
ARG TARGETARCH
WORKDIR /src
COPY go.mod go.sum ./
COPY main.go ./
COPY internal/ internal/
# Static (no cgo), reproducible paths, stripped of symbols and DWARF. A plain
# go build fetches only the modules the binary needs (not the test-only
# ones), and needs no BuildKit cache mounts: a runner building this on every
# job pays as little as possible.
RUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -trimpath -ldflags="-s -w -buildid=" -o /out/runner-token-action .

# Run: a few MB, with CA certificates and nothing else. The :latest tag of
# static-debian12 runs as root; the :nonroot tag would not (see below).
FROM gcr.io/distroless/static-debian12:latest@sha256:d75cdd72874d4790092fcb1b058493ecf6bb5bf2b2b897045b00ff01d91843f2
COPY --from=build /out/runner-token-action /runner-token-action
# No USER line on purpose: GitHub runs container actions as root, and the
# file-command files it mounts (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY) are
# writable only by the runner's user, which a non-root user here may not be.
ENTRYPOINT ["/runner-token-action"]
