package action

import (
	"context"
	"fmt"
	"strconv"

	"github.com/runnertoken/runner-token-action/internal/appauth"
	"github.com/runnertoken/runner-token-action/internal/config"
	"github.com/runnertoken/runner-token-action/internal/githubapi"
)

// appCredential authenticates as cfg's GitHub App and returns an
// installation token narrowed to the target, and a release that revokes it.
func (s *step) appCredential(ctx context.Context, cfg *config.Config) (*credential, error) {
	app, t := cfg.Credential.App, cfg.Target
	// s.mask hides the JWT and the installation token before either is used.
	c := &appauth.Client{HTTP: s.env.HTTPClient, API: cfg.API, Mask: s.mask, Now: s.policy().Now,
		Options: []githubapi.ClientOption{githubapi.WithPolicy(s.policy())}}
	s.info("Authenticating as GitHub App %s to find its installation for %s", app.ID, t)
	tok, err := c.InstallationToken(ctx, *app, t)
	if err != nil {
		return nil, err
	}
	s.info("Using installation %d on %s, with a token limited to the %s", tok.InstallationID, tok.Account, tok.Limits)

	// Revoked on every path, after cancellation too, within the step's
	// clean-up grace.
	release := func(ctx context.Context) {
		if err := c.Revoke(ctx, tok); err != nil {
			// Not a failure of the step: the runner credential is what the
			// workflow asked for, and failing would throw it away for a
			// token that is narrow and expires within the hour anyway.
			msg := fmt.Sprintf("%v. The installation token is limited to the %s; revoke it sooner by removing the app's installation if you must", err, tok.Limits)
			s.gha.WithFieldsMap(map[string]string{"title": "Installation token not revoked"}).
				Warningf("%s", redact(msg, s.secrets))
			return
		}
		s.info("Revoked the installation token.")
	}
	outputs := []output{{"installation-id", strconv.FormatInt(tok.InstallationID, 10), false}}
	return &credential{token: tok.Value, outputs: outputs, release: release}, nil
}
